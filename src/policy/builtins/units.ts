// OPA's units.parse_bytes and units.parse (topdown/parse_bytes.go, parse_units.go), used by
// policies on Kubernetes resource quantities ("512Mi", "100m").
//
// Both drop double quotes, refuse spaces, and split the text where the number ends: digits, '.',
// '+', '-', and an 'e'/'E' that is followed by a digit or sign (so "1e3" is a number but "1e" is
// 1 with unit "e", exa). The number must then parse as a whole: "-1k" is -1000 but "1-2" fails.
//
// - parse_bytes lowercases everything, accepts k/kb/ki/kib … e/eb/ei/eib (decimal for k and kb,
//   binary for ki and kib), computes in Go's big.Float (64-bit mantissa, see go-big-float.ts) and
//   truncates to an integer: "1.5" is 1, "0.3kb" is 300.
// - parse is case-sensitive in the first unit letter only, so "m" is milli and "M" mega, while
//   "Mi"/"mi"/"MI" are all mebi; "k" and "K" are both kilo. It computes exactly with big.Rat and
//   returns a non-integer rounded to 10 decimal places (OPA's FloatString(10)). Note OPA's milli
//   factor is the double 0.001, not 1/1000, which only shows past the 10th decimal.

import { parseBigFloat, round, truncate } from './go-big-float';
import { parseDecimal } from './decimal-text';

const BINARY = ['', 'ki', 'mi', 'gi', 'ti', 'pi', 'ei'];
const DECIMAL = ['', 'k', 'm', 'g', 't', 'p', 'e'];
// OPA rejects exponents with more than six digits before doing any arithmetic.
const MAX_EXPONENT_DIGITS = 6;

const bytesError = (msg: string): Error => new Error(`units.parse_bytes: ${msg}`);
const unitsError = (msg: string): Error => new Error(`units.parse: ${msg}`);

/** Bytes as an integer; throws with OPA's message ("units.parse_bytes: ...") on bad input. */
export function unitsParseBytes(text: string): number {
  const s = text.toLowerCase().replace(/"/g, '');
  const [num, unit] = splitNumber(s, 'units.parse_bytes');
  if (num === '') throw bytesError('no byte amount provided');
  const factor = bytesFactor(unit);
  if (factor === undefined) throw bytesError(`byte unit ${unit} not recognized`);
  const x = parseBigFloat(num);
  if (x === undefined) throw bytesError('could not parse byte amount to a number');
  const product = round({ neg: x.neg, mant: x.mant * factor, exp: x.exp }, 64);
  // Go returns the exact integer, however large; past a double's range nothing faithful can be
  // returned (JSON would turn Infinity into null), so refuse. The first test spares a huge shift.
  const bytes = product.exp > 1024 ? Infinity : Number(truncate(product));
  if (!Number.isFinite(bytes)) throw bytesError('byte amount out of range');
  return bytes;
}

function bytesFactor(unit: string): bigint | undefined {
  const base = unit.endsWith('b') && unit.length > 1 ? unit.slice(0, -1) : unit;
  const bin = BINARY.indexOf(base);
  if (bin > 0 || unit === '') return 1024n ** BigInt(Math.max(bin, 0));
  const dec = DECIMAL.indexOf(base);
  return dec > 0 ? 1000n ** BigInt(dec) : undefined;
}

/**
 * The number and unit parts, with OPA's checks that come before them: no spaces, and no
 * exponent longer than six digits.
 */
function splitNumber(s: string, name: string): [string, string] {
  if (s.includes(' ')) throw new Error(`${name}: spaces not allowed in resource strings`);
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (/[0-9.+-]/.test(c)) continue;
    if (c !== 'e' && c !== 'E') return [s.slice(0, i), s.slice(i)];
    if (!/[0-9+-]/.test(s.charAt(i + 1))) return [s.slice(0, i), s.slice(i)];
    if (/[+-]/.test(s.charAt(i + 1))) i++;
    const digits = /^\d*/.exec(s.slice(i + 1))![0];
    if (digits.length > MAX_EXPONENT_DIGITS) throw new Error(`${name}: exponent too large`);
  }
  return [s, ''];
}

/** A rational number n/d with d > 0, as Go's big.Rat computes exactly. */
interface Rat {
  n: bigint;
  d: bigint;
}

/** The double 0.001 as an exact fraction, because OPA's milli is big.Rat.SetFloat64(0.001). */
const MILLI: Rat = (() => {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, 0.001);
  const bits = view.getBigUint64(0);
  const exp = Number((bits >> 52n) & 0x7ffn) - 1075;
  return { n: (bits & ((1n << 52n) - 1n)) | (1n << 52n), d: 1n << BigInt(-exp) };
})();

// After OPA's normalisation of the unit: kilo is k or K, but "m" alone is milli and "M" mega.
const SI_POWERS = new Map(
  Object.entries({ k: 1, K: 1, M: 2, g: 3, G: 3, t: 4, T: 4, p: 5, P: 5, e: 6, E: 6 }),
);

function unitFactor(unit: string): Rat | undefined {
  if (unit === '') return { n: 1n, d: 1n };
  if (unit === 'm') return MILLI;
  const si = SI_POWERS.get(unit);
  if (si !== undefined) return { n: 1000n ** BigInt(si), d: 1n };
  // Binary units are a prefix letter in either case followed by "i".
  const bin = unit.length === 2 && unit.endsWith('i') ? BINARY.indexOf(unit.toLowerCase()) : -1;
  return bin > 0 ? { n: 1024n ** BigInt(bin), d: 1n } : undefined;
}

/** A quantity with SI or binary suffix as a number; throws with OPA's message on bad input. */
export function unitsParse(text: string): number {
  const [num, raw] = splitNumber(text.replace(/"/g, ''), 'units.parse');
  if (num === '') throw unitsError('no amount provided');
  // OPA lowercases all but the first letter of the unit, so "MI" means "Mi" but "MB" is "Mb".
  const unit = raw.length > 1 ? raw.charAt(0) + raw.slice(1).toLowerCase() : raw;
  const factor = unitFactor(unit);
  if (factor === undefined) throw unitsError(`unit ${unit} not recognized`);
  const dec = parseDecimal(num);
  if (dec === undefined) throw unitsError('could not parse amount to a number');
  if (dec.digits === '') return 0;
  // Far below 10^-10 the answer rounds to (signed) zero: spare building a huge denominator.
  if (dec.point < -40) return dec.neg ? -0 : 0;
  const shift = dec.point - dec.digits.length;
  // As for parse_bytes, an answer beyond a double's range is refused rather than made Infinity.
  const value =
    dec.point > 330
      ? Infinity
      : ratToNumber({
          n:
            (dec.neg ? -1n : 1n) *
            BigInt(dec.digits) *
            10n ** BigInt(Math.max(shift, 0)) *
            factor.n,
          d: 10n ** BigInt(Math.max(-shift, 0)) * factor.d,
        });
  if (!Number.isFinite(value)) throw unitsError('amount out of range');
  return value;
}

/** An integer exactly, otherwise Rat.FloatString(10): 10 decimals, halves away from zero. */
function ratToNumber(r: Rat): number {
  if (r.n % r.d === 0n) return Number(r.n / r.d);
  const neg = r.n < 0n;
  const a = neg ? -r.n : r.n;
  const p = 10n ** 10n;
  let q = a / r.d;
  const scaled = (a % r.d) * p;
  let frac = scaled / r.d;
  if (r.d <= (scaled % r.d) * 2n) {
    frac += 1n;
    if (frac >= p) [q, frac] = [q + 1n, frac - p];
  }
  return Number(`${neg ? '-' : ''}${q}.${frac.toString().padStart(10, '0')}`);
}
