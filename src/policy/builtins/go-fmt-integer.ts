// Go fmt's verbs for an int64 argument (fmt/print.go fmtInteger, format.go fmtInteger, fmtC,
// fmtQc, fmtUnicode). Values are bigint so the whole int64 range is exact.

import { LOWER_DIGITS, UPPER_DIGITS } from './go-fmt-string';
import { goQuoteRune, goQuoteRuneToASCII, isPrint } from './go-quote';
import type { Printer } from './go-fmt-printer';

const MAX_RUNE = 0x10ffffn;
const RUNE_ERROR = 0xfffd;

/** %c %q %U reinterpret the int64 as uint64, as Go's fmt does. */
const asUint64 = (v: bigint): bigint => (v < 0n ? v + (1n << 64n) : v);

/** Prints v for the verb; false when the verb does not apply to integers (a bad verb). */
export function fmtInt64(p: Printer, v: bigint, verb: string): boolean {
  switch (verb) {
    case 'v':
    case 'd':
      fmtInteger(p, v, 10, verb, LOWER_DIGITS);
      return true;
    case 'b':
      fmtInteger(p, v, 2, verb, LOWER_DIGITS);
      return true;
    case 'o':
    case 'O':
      fmtInteger(p, v, 8, verb, LOWER_DIGITS);
      return true;
    case 'x':
    case 'X':
      fmtInteger(p, v, 16, verb, verb === 'x' ? LOWER_DIGITS : UPPER_DIGITS);
      return true;
    case 'c':
      p.pad(String.fromCodePoint(runeOf(asUint64(v))));
      return true;
    case 'q':
      p.pad((p.f.plus ? goQuoteRuneToASCII : goQuoteRune)(runeOf(asUint64(v))));
      return true;
    case 'U':
      fmtUnicode(p, asUint64(v));
      return true;
    default:
      return false;
  }
}

/** A value that is not a valid rune (too large, or a surrogate) prints as U+FFFD. */
function runeOf(u: bigint): number {
  if (u > MAX_RUNE) return RUNE_ERROR;
  const r = Number(u);
  return r >= 0xd800 && r <= 0xdfff ? RUNE_ERROR : r;
}

/**
 * Digits, then zeros up to the precision (or, with the '0' flag and no precision, up to the width
 * minus room for a sign), then the 0b/0/0x/0o prefix, then the sign, then space padding.
 */
function fmtInteger(p: Printer, v: bigint, base: number, verb: string, digits: string): void {
  const f = p.f;
  const negative = v < 0n;
  let prec = 0;
  if (f.precPresent) {
    prec = f.prec;
    // Precision 0 and value 0 print nothing but the padding.
    if (prec === 0 && v === 0n) return p.withoutZero(() => p.writePadding(f.wid));
  } else if (f.zero && !f.minus && f.widPresent) {
    prec = negative || f.plus || f.space ? f.wid - 1 : f.wid;
  }
  let s = (negative ? -v : v).toString(base);
  if (digits === UPPER_DIGITS) s = s.toUpperCase();
  s = s.padStart(prec, '0');
  if (f.sharp) {
    if (base === 2) s = '0b' + s;
    else if (base === 8 && s.charAt(0) !== '0') s = '0' + s;
    else if (base === 16) s = '0' + digits.charAt(16) + s;
  }
  if (verb === 'O') s = '0o' + s;
  if (negative) s = '-' + s;
  else if (f.plus) s = '+' + s;
  else if (f.space) s = ' ' + s;
  p.withoutZero(() => p.pad(s));
}

/** %U: U+0041, at least four hex digits (more with a precision); `#` appends 'A'. */
function fmtUnicode(p: Printer, u: bigint): void {
  const prec = p.f.precPresent && p.f.prec > 4 ? p.f.prec : 4;
  let s = 'U+' + u.toString(16).toUpperCase().padStart(prec, '0');
  if (p.f.sharp && u <= MAX_RUNE && isPrint(Number(u))) {
    s += ` '${String.fromCodePoint(Number(u))}'`;
  }
  p.withoutZero(() => p.pad(s));
}
