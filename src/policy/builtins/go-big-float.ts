// Just enough of Go's math/big.Float to reproduce units.parse_bytes bit for bit: parsing decimal
// text (Float.SetString), multiplying, and truncating to an integer, at 64 bits of precision with
// round-half-to-even after every operation.
//
// Why emulate rather than use doubles: OPA computes `0.3kb` as the 64-bit-mantissa value nearest
// 0.3, times 1000, rounded again to 64 bits, truncated. Doubles (53 bits) round differently, and
// the truncation then turns a tiny difference into an off-by-one byte count.

/** A finite binary float: mant × 2^exp, with mant < 2^prec after rounding. */
export interface BigFloat {
  neg: boolean;
  mant: bigint;
  exp: number;
}

const bitLength = (n: bigint): number => (n === 0n ? 0 : n.toString(2).length);

/** Rounds mant × 2^exp to `prec` significant bits, half to even; `sticky` marks a lost remainder. */
export function round(x: BigFloat, prec: number, sticky = false): BigFloat {
  const shift = bitLength(x.mant) - prec;
  if (shift <= 0) return x;
  let mant = x.mant >> BigInt(shift);
  const rest = x.mant & ((1n << BigInt(shift)) - 1n);
  const half = 1n << BigInt(shift - 1);
  if (rest > half || (rest === half && (sticky || (mant & 1n) === 1n))) mant++;
  let exp = x.exp + shift;
  if (bitLength(mant) > prec) {
    mant >>= 1n;
    exp++;
  }
  return { neg: x.neg, mant, exp };
}

export function mul(x: BigFloat, y: BigFloat, prec: number): BigFloat {
  return round({ neg: x.neg !== y.neg, mant: x.mant * y.mant, exp: x.exp + y.exp }, prec);
}

/** x / y correctly rounded: divide with prec + 2 spare bits, and a sticky bit for the remainder. */
export function quo(x: BigFloat, y: BigFloat, prec: number): BigFloat {
  const s = Math.max(0, prec + 2 + bitLength(y.mant) - bitLength(x.mant));
  const num = x.mant << BigInt(s);
  const q = num / y.mant;
  const sticky = num % y.mant !== 0n;
  const raw = {
    neg: x.neg !== y.neg,
    mant: (q << 1n) | (sticky ? 1n : 0n),
    exp: x.exp - y.exp - s - 1,
  };
  return round(raw, prec, sticky);
}

const fromInt = (n: bigint): BigFloat => ({ neg: false, mant: n, exp: 0 });

/** Go's Float.pow5 at precision `prec`: exact up to 5^27, then squaring at prec + 64 bits. */
function pow5(n: number, prec: number): BigFloat {
  if (n <= 27) return fromInt(5n ** BigInt(n));
  let z = fromInt(5n ** 27n);
  let f = fromInt(5n);
  for (let k = n - 27; k > 0; k = Math.floor(k / 2)) {
    if (k % 2 === 1) z = mul(z, f, prec);
    f = mul(f, f, prec + 64);
  }
  return z;
}

const SYNTAX = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Float.SetString at 64 bits for decimal text; undefined where Go's parse fails. */
export function parseBigFloat(text: string, prec = 64): BigFloat | undefined {
  const m = SYNTAX.exec(text);
  if (!m) return undefined;
  const [, sign, int = '', frac = '', exp = '0'] = m;
  if (int === '' && frac === '') return undefined;
  const digits = BigInt(int + frac);
  const neg = sign === '-';
  if (digits === 0n) return { neg, mant: 0n, exp: 0 };
  // The digits are exact; only the power of 10 (split as 2^e × 5^e) costs rounding, once.
  const e = Number(exp) - frac.length;
  const z: BigFloat = { neg, mant: digits, exp: e };
  if (e === 0) return round(z, prec);
  const p = pow5(Math.abs(e), prec + 64);
  return e > 0 ? mul(z, p, prec) : quo(z, p, prec);
}

/** Float.Int: the integer part, truncated toward zero. */
export function truncate(x: BigFloat): bigint {
  const mag = x.exp >= 0 ? x.mant << BigInt(x.exp) : x.mant >> BigInt(-x.exp);
  return x.neg ? -mag : mag;
}
