// Go fmt's verbs for a float64 argument (fmt/print.go fmtFloat, format.go fmtFloat): %v is %g
// with the shortest precision, %e %f %F default to precision 6, %b %g %G %x %X to shortest.

import { formatFloat } from './go-format-float';
import type { Printer } from './go-fmt-printer';

/** Prints v for the verb; false when the verb does not apply to floats (a bad verb). */
export function fmtFloat64(p: Printer, v: number, verb: string): boolean {
  switch (verb) {
    case 'v':
      fmtFloat(p, v, 'g', -1);
      return true;
    case 'b':
    case 'g':
    case 'G':
    case 'x':
    case 'X':
      fmtFloat(p, v, verb, -1);
      return true;
    case 'f':
    case 'e':
    case 'E':
      fmtFloat(p, v, verb, 6);
      return true;
    case 'F':
      fmtFloat(p, v, 'f', 6);
      return true;
    default:
      return false;
  }
}

function fmtFloat(p: Printer, v: number, verb: string, prec: number): void {
  const f = p.f;
  if (f.precPresent) prec = f.prec;
  // Format with a leading sign so the sign can go before zero padding.
  let num = formatFloat(v, verb, prec);
  if (num[0] !== '-' && num[0] !== '+') num = '+' + num;
  if (f.space && num[0] === '+' && !f.plus) num = ' ' + num.slice(1);
  if (num[1] === 'I' || num[1] === 'N') {
    // Infinities and NaN are not numbers to pad with zeros; NaN drops an unrequested sign.
    if (num[1] === 'N' && !f.space && !f.plus) num = num.slice(1);
    return p.withoutZero(() => p.pad(num));
  }
  if (f.sharp && verb !== 'b') num = forceDecimalPoint(num, verb, prec);
  if (f.plus || num[0] !== '+') {
    if (f.zero && !f.minus && f.widPresent && f.wid > num.length) {
      p.write(num[0]!);
      p.writePadding(f.wid - num.length);
      p.write(num.slice(1));
      return;
    }
    return p.pad(num);
  }
  p.pad(num.slice(1));
}

/**
 * The '#' flag: always print a decimal point, and for %g/%x keep trailing zeros up to the
 * precision (6 when none was given). Ported as is, including that Go counts the 'x' of "0x" as a
 * significant digit for %#x.
 */
function forceDecimalPoint(num: string, verb: string, prec: number): string {
  let digits = 0;
  if (verb === 'v' || verb === 'g' || verb === 'G' || verb === 'x') digits = prec === -1 ? 6 : prec;
  let tail = '';
  let hasPoint = false;
  let sawNonzero = false;
  for (let i = 1; i < num.length; i++) {
    const c = num[i]!;
    if (c === '.') {
      hasPoint = true;
      continue;
    }
    const isExponent =
      c === 'p' || c === 'P' || ((c === 'e' || c === 'E') && verb !== 'x' && verb !== 'X');
    if (isExponent) {
      tail = num.slice(i);
      num = num.slice(0, i);
      break;
    }
    if (c !== '0') sawNonzero = true;
    if (sawNonzero) digits--;
  }
  if (!hasPoint) {
    // A lone leading 0 counts once as a digit.
    if (num.length === 2 && num[1] === '0') digits--;
    num += '.';
  }
  return num + '0'.repeat(Math.max(digits, 0)) + tail;
}
