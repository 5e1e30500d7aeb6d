// Go fmt's verbs for a string argument: %v %s %q %x %X (fmt/print.go fmtString, format.go).

import { canBackquote, codePoints, goQuote, goQuoteToASCII } from './go-quote';
import type { Printer } from './go-fmt-printer';

export const LOWER_DIGITS = '0123456789abcdefx';
export const UPPER_DIGITS = '0123456789ABCDEFX';

/** Prints s for the verb; false when the verb does not apply to strings (a bad verb). */
export function fmtString(p: Printer, s: string, verb: string): boolean {
  switch (verb) {
    case 'v':
      if (p.f.sharpV) fmtQ(p, s);
      else fmtS(p, s);
      return true;
    case 's':
      fmtS(p, s);
      return true;
    case 'q':
      fmtQ(p, s);
      return true;
    case 'x':
      fmtSx(p, s, LOWER_DIGITS);
      return true;
    case 'X':
      fmtSx(p, s, UPPER_DIGITS);
      return true;
    default:
      return false;
  }
}

/** The precision of %s and %q counts runes. */
function truncate(p: Printer, s: string): string {
  if (!p.f.precPresent) return s;
  const cps = codePoints(s);
  return cps.length <= p.f.prec ? s : String.fromCodePoint(...cps.slice(0, p.f.prec));
}

export function fmtS(p: Printer, s: string): void {
  p.pad(truncate(p, s));
}

/** %q: a Go string literal; `#` asks for a raw `backquoted` one when possible, `+` for ASCII. */
function fmtQ(p: Printer, s: string): void {
  s = truncate(p, s);
  if (p.f.sharp && canBackquote(s)) p.pad('`' + s + '`');
  else p.pad(p.f.plus ? goQuoteToASCII(s) : goQuote(s));
}

/**
 * %x of a string hex-encodes its UTF-8 bytes; the precision counts bytes. `#` adds 0x, and a
 * space separates bytes (with `#`, each byte gets its own 0x).
 */
function fmtSx(p: Printer, s: string, digits: string): void {
  const f = p.f;
  const bytes = new TextEncoder().encode(s); // not Buffer: the builtins also run in a browser
  const length = f.precPresent && f.prec < bytes.length ? f.prec : bytes.length;
  if (length === 0) {
    if (f.widPresent) p.writePadding(f.wid);
    return;
  }
  let width = 2 * length;
  if (f.space) width = (f.sharp ? width * 2 : width) + length - 1;
  else if (f.sharp) width += 2;
  const prefix = '0' + digits.charAt(16);
  let out = f.sharp ? prefix : '';
  for (let i = 0; i < length; i++) {
    if (f.space && i > 0) out += f.sharp ? ' ' + prefix : ' ';
    const b = bytes[i]!;
    out += digits.charAt(b >> 4) + digits.charAt(b & 15);
  }
  const padding = f.widPresent && f.wid > width ? f.wid - width : 0;
  if (!f.minus) p.writePadding(padding);
  p.write(out);
  if (f.minus) p.writePadding(padding);
}
