// Go's strconv.FormatFloat(x, fmt, prec, 64) for fmt in b, e, E, f, g, G, x, X.
//
// JS's toFixed/toExponential round halves up, Go rounds them to even (`%.2f` of 0.125 is "0.12"
// in Go), so fixed precision is done here on the exact decimal expansion of the double, with Go's
// decimal rounding. Shortest formatting (prec < 0) takes its digits from String(x): both engines
// produce the shortest digit string that reads back as x, choosing the closest one on ties.

import { Decimal, exactBinary, parseDecimal, roundDecimal } from './decimal-text';

const MANT_BITS = 52;

interface FloatParts {
  neg: boolean;
  special?: 'inf' | 'nan';
  /** x = mant × 2^(exp − 52), with the implicit leading bit set for normal numbers. */
  mant: bigint;
  exp: number;
}

function floatParts(x: number): FloatParts {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const neg = bits >> 63n === 1n;
  let exp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  if (exp === 0x7ff) return { neg, special: mant === 0n ? 'inf' : 'nan', mant, exp };
  if (exp === 0) exp++;
  else mant |= 1n << 52n;
  return { neg, mant, exp: exp - 1023 };
}

export function formatFloat(x: number, fmt: string, prec: number): string {
  const p = floatParts(x);
  if (p.special === 'nan') return 'NaN';
  if (p.special === 'inf') return p.neg ? '-Inf' : '+Inf';
  if (fmt === 'b') return formatB(p);
  if (fmt === 'x' || fmt === 'X') return formatX(p, prec, fmt);
  const shortest = prec < 0;
  let digs: Decimal;
  if (shortest) {
    digs = { ...parseDecimal(String(Math.abs(x)))!, neg: p.neg };
    const nd = digs.digits.length;
    prec =
      fmt === 'e' || fmt === 'E'
        ? Math.max(nd - 1, 0)
        : fmt === 'f'
          ? Math.max(nd - digs.point, 0)
          : nd;
  } else {
    const exact = exactBinary(p.neg, p.mant, p.exp - MANT_BITS);
    if (fmt === 'e' || fmt === 'E') digs = roundDecimal(exact, prec + 1);
    else if (fmt === 'f') digs = roundDecimal(exact, exact.point + prec);
    else {
      if (prec === 0) prec = 1;
      digs = roundDecimal(exact, prec);
    }
  }
  return formatDigits(digs, prec, fmt, shortest);
}

/** strconv's formatDigits: %g picks %e when the exponent is < -4 or >= the precision. */
function formatDigits(d: Decimal, prec: number, fmt: string, shortest: boolean): string {
  if (fmt === 'e' || fmt === 'E') return fmtE(d, prec, fmt);
  if (fmt === 'f') return fmtF(d, prec);
  const nd = d.digits.length;
  let eprec = prec;
  if (eprec > nd && nd >= d.point) eprec = nd;
  // Shortest %g uses precision 6 for this decision, which is why Go prints 1e+06 for 1000000.0.
  if (shortest) eprec = 6;
  const exp = d.point - 1;
  if (exp < -4 || exp >= eprec) {
    return fmtE(d, Math.min(prec, nd) - 1, fmt === 'G' ? 'E' : 'e');
  }
  return fmtF(d, Math.max((prec > d.point ? nd : prec) - d.point, 0));
}

function fmtE(d: Decimal, prec: number, e: string): string {
  const nd = d.digits.length;
  let s = (d.neg ? '-' : '') + (nd === 0 ? '0' : d.digits.charAt(0));
  if (prec > 0) s += '.' + d.digits.slice(1, Math.min(nd, prec + 1)).padEnd(prec, '0');
  const exp = nd === 0 ? 0 : d.point - 1;
  return s + e + (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
}

function fmtF(d: Decimal, prec: number): string {
  let s = d.neg ? '-' : '';
  s += d.point > 0 ? d.digits.slice(0, d.point).padEnd(d.point, '0') : '0';
  if (prec > 0) {
    let frac = '';
    for (let i = 0; i < prec; i++) {
      const j = d.point + i;
      frac += j >= 0 && j < d.digits.length ? d.digits.charAt(j) : '0';
    }
    s += '.' + frac;
  }
  return s;
}

/** %b: decimal mantissa and binary exponent, e.g. 6755399441055744p-52 for 1.5. */
function formatB(p: FloatParts): string {
  const exp = p.exp - MANT_BITS;
  return `${p.neg ? '-' : ''}${p.mant}p${exp >= 0 ? '+' : ''}${exp}`;
}

const MASK64 = (1n << 64n) - 1n;
const BIT60 = 1n << 60n;

/** %x: hexadecimal mantissa and binary exponent, -0x1.8p+00 style (strconv's fmtX). */
function formatX(p: FloatParts, prec: number, fmt: string): string {
  let exp = p.mant === 0n ? 0 : p.exp;
  // Shift the leading 1 (if any) to bit 60, as Go does in a uint64.
  let mant = p.mant << BigInt(60 - MANT_BITS);
  while (mant !== 0n && (mant & BIT60) === 0n) {
    mant <<= 1n;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & (BIT60 - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++; // round half to even
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const digits = fmt === 'X' ? '0123456789ABCDEF' : '0123456789abcdef';
  let s = `${p.neg ? '-' : ''}0${fmt}${(mant >> 60n) & 1n}`;
  mant = (mant << 4n) & MASK64; // drop the leading digit, as the uint64 shift does
  const count = prec < 0 ? Infinity : prec;
  if (count > 0 && (prec > 0 || mant !== 0n)) s += '.';
  for (let i = 0; i < count && (prec >= 0 || mant !== 0n); i++) {
    s += digits.charAt(Number((mant >> 60n) & 15n));
    mant = (mant << 4n) & MASK64;
  }
  const sign = exp < 0 ? '-' : '+';
  return `${s}${fmt === 'X' ? 'P' : 'p'}${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
}
