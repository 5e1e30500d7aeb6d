// Decimal numbers held as digit strings, the representation Go's strconv works in.
//
// Rego numbers are arbitrary-precision decimal text (`12345678901234567890`, `1e400`), so neither
// JS numbers nor bigint can stand in for them when comparing or formatting. A Decimal is
// 0.d1d2d3... × 10^point: `digits` has no leading or trailing zeros and is empty for zero. This is
// the (d, dp) pair of Go's strconv `decimal`, which makes porting its rounding rules direct.

export interface Decimal {
  neg: boolean;
  digits: string;
  point: number;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Parses `-12.5e3` style text (also `1.`, `.5`); undefined when it is not a decimal number. */
export function parseDecimal(text: string): Decimal | undefined {
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const [, sign, int = '', frac = '', exp = '0'] = m;
  if (int === '' && frac === '') return undefined;
  const all = int + frac;
  const lead = all.length - all.replace(/^0+/, '').length;
  const digits = all.slice(lead).replace(/0+$/, '');
  const point = digits === '' ? 0 : int.length - lead + Number(exp);
  return { neg: sign === '-', digits, point };
}

/** Compares |a| and |b| exactly. */
export function compareMagnitude(a: Decimal, b: Decimal): number {
  if (a.digits === '' || b.digits === '') return Math.sign(a.digits.length - b.digits.length);
  if (a.point !== b.point) return Math.sign(a.point - b.point);
  const n = Math.max(a.digits.length, b.digits.length);
  const x = a.digits.padEnd(n, '0');
  const y = b.digits.padEnd(n, '0');
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Compares two decimals exactly (negative zero equals zero). */
export function compareDecimal(a: Decimal, b: Decimal): number {
  const sa = a.digits === '' ? 0 : a.neg ? -1 : 1;
  const sb = b.digits === '' ? 0 : b.neg ? -1 : 1;
  if (sa !== sb) return Math.sign(sa - sb);
  return sa * compareMagnitude(a, b);
}

/**
 * Keeps `nd` significant digits, rounding half to even; Go's `(*decimal).Round`. As in Go, an
 * `nd` below zero leaves the value alone: the caller's formatting prints those places as zeros.
 */
export function roundDecimal(d: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= d.digits.length) return d;
  const next = d.digits.charAt(nd);
  const exactHalf = next === '5' && nd + 1 === d.digits.length;
  const up = exactHalf ? nd > 0 && Number(d.digits.charAt(nd - 1)) % 2 === 1 : next >= '5';
  return up ? roundUp(d, nd) : trimmed({ ...d, digits: d.digits.slice(0, nd) });
}

function roundUp(d: Decimal, nd: number): Decimal {
  for (let i = nd - 1; i >= 0; i--) {
    const c = d.digits.charCodeAt(i);
    if (c < 0x39) return { ...d, digits: d.digits.slice(0, i) + String.fromCharCode(c + 1) };
  }
  // All nines: 0.999 rounds to 0.1 × 10^(point+1).
  return { ...d, digits: '1', point: d.point + 1 };
}

function trimmed(d: Decimal): Decimal {
  const digits = d.digits.replace(/0+$/, '');
  return { ...d, digits, point: digits === '' ? 0 : d.point };
}

/** The exact decimal value of mant × 2^exp (every binary float has a finite decimal expansion). */
export function exactBinary(neg: boolean, mant: bigint, exp: number): Decimal {
  if (mant === 0n) return { neg, digits: '', point: 0 };
  if (exp >= 0) {
    const s = (mant << BigInt(exp)).toString();
    return trimmed({ neg, digits: s, point: s.length });
  }
  // mant / 2^k = mant × 5^k / 10^k
  const k = -exp;
  const s = (mant * 5n ** BigInt(k)).toString();
  return trimmed({ neg, digits: s, point: s.length - k });
}
