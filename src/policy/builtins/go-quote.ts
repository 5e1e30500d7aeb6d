// Go's strconv quoting (strconv/quote.go): Quote, QuoteToASCII, QuoteRune, QuoteRuneToASCII and
// CanBackquote, which `%q` and the Rego String() form of strings rely on.
//
// Go keeps printable characters as they are and escapes the rest: \a \b \f \n \r \t \v, then \xNN
// below U+0020 and for U+007F, \uNNNN in the BMP, \UNNNNNNNN above it. "Printable" is
// unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. The Unicode
// tables are the JS engine's, which may be a version apart from Go's for newly assigned code
// points.

const GRAPHIC = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
const NAMED: Record<number, string> = {
  0x07: '\\a',
  0x08: '\\b',
  0x0c: '\\f',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x0b: '\\v',
};
const REPLACEMENT = 0xfffd;

export function isPrint(cp: number): boolean {
  return cp === 0x20 || GRAPHIC.test(String.fromCodePoint(cp));
}

/** Code points of a JS string; a lone surrogate reads as U+FFFD, as invalid UTF-8 would in Go. */
export function codePoints(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    out.push(cp >= 0xd800 && cp <= 0xdfff ? REPLACEMENT : cp);
  }
  return out;
}

function hex(cp: number, width: number): string {
  return cp.toString(16).padStart(width, '0');
}

function escapeRune(cp: number, quote: number, asciiOnly: boolean): string {
  if (cp === quote || cp === 0x5c) return '\\' + String.fromCodePoint(cp);
  if (asciiOnly ? cp < 0x80 && isPrint(cp) : isPrint(cp)) return String.fromCodePoint(cp);
  const named = NAMED[cp];
  if (named !== undefined) return named;
  if (cp < 0x20 || cp === 0x7f) return '\\x' + hex(cp, 2);
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = REPLACEMENT;
  return cp < 0x10000 ? '\\u' + hex(cp, 4) : '\\U' + hex(cp, 8);
}

function quoteWith(s: string, quote: string, asciiOnly: boolean): string {
  const q = quote.charCodeAt(0);
  return (
    quote +
    codePoints(s)
      .map((cp) => escapeRune(cp, q, asciiOnly))
      .join('') +
    quote
  );
}

export const goQuote = (s: string): string => quoteWith(s, '"', false);
export const goQuoteToASCII = (s: string): string => quoteWith(s, '"', true);

/** A rune outside Unicode (or a surrogate) is quoted as U+FFFD, as Go does. */
function validRune(r: number): number {
  return r < 0 || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff) ? REPLACEMENT : r;
}

export const goQuoteRune = (r: number): string => `'${escapeRune(validRune(r), 0x27, false)}'`;
export const goQuoteRuneToASCII = (r: number): string =>
  `'${escapeRune(validRune(r), 0x27, true)}'`;

/** Whether s can be written as a Go raw string: no control characters but tab, no backquote. */
export function canBackquote(s: string): boolean {
  return codePoints(s).every(
    (cp) => cp !== 0xfeff && cp !== 0x60 && cp !== 0x7f && (cp >= 0x20 || cp === 0x09),
  );
}
