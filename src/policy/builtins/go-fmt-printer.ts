// The output buffer and per-verb flags of Go's fmt printer (fmt/format.go's `fmt` struct).
//
// Widths count runes (code points), not bytes or UTF-16 units, and the '0' flag pads on the left
// with zeros, even for strings (`%05s` of "ab" is "000ab" in Go).

/** An argument as Go's fmt sees it; `type` is its reflect type name, printed in `%!d(type=...)`. */
export type GoArg =
  | { type: 'int64'; v: bigint }
  | { type: '*big.Int'; v: bigint }
  | { type: 'float64'; v: number }
  | { type: 'string'; v: string };

export interface FmtFlags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  /** `%+v` and `%#v`: the '+' and '#' flags move here so the plain meaning does not apply. */
  plusV: boolean;
  sharpV: boolean;
  wid: number;
  widPresent: boolean;
  prec: number;
  precPresent: boolean;
}

export function noFlags(): FmtFlags {
  return {
    plus: false,
    minus: false,
    sharp: false,
    space: false,
    zero: false,
    plusV: false,
    sharpV: false,
    wid: 0,
    widPresent: false,
    prec: 0,
    precPresent: false,
  };
}

export function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low one is a single rune.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

export class Printer {
  buf = '';
  f: FmtFlags = noFlags();

  write(s: string): void {
    this.buf += s;
  }

  writePadding(n: number): void {
    if (n <= 0) return;
    this.buf += (this.f.zero && !this.f.minus ? '0' : ' ').repeat(n);
  }

  /** Writes s padded to the width: on the left, or on the right with the '-' flag. */
  pad(s: string): void {
    if (!this.f.widPresent || this.f.wid === 0) {
      this.buf += s;
      return;
    }
    const width = this.f.wid - runeCount(s);
    if (this.f.minus) {
      this.buf += s;
      this.writePadding(width);
    } else {
      this.writePadding(width);
      this.buf += s;
    }
  }

  /** Runs `fn` with zero padding off: Go never zero-pads integers' and Inf's outer width. */
  withoutZero(fn: () => void): void {
    const old = this.f.zero;
    this.f.zero = false;
    fn();
    this.f.zero = old;
  }
}
