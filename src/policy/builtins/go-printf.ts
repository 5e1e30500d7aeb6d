// Go's fmt.Sprintf (fmt/print.go doPrintf) over the argument types OPA's sprintf produces: int64,
// *big.Int, float64 and string. Ported rule for rule, including the error texts Go writes into
// the output instead of failing: %!d(string=x) for a verb that does not fit the argument,
// %!v(MISSING), %!(EXTRA int64=3), %!v(BADINDEX), %!(BADWIDTH), %!(BADPREC), %!(NOVERB).

import { bigIntStruct, fmtBigInt } from './go-fmt-big-int';
import { fmtFloat64 } from './go-fmt-float';
import { fmtInt64 } from './go-fmt-integer';
import { GoArg, Printer, noFlags } from './go-fmt-printer';
import { fmtS, fmtString } from './go-fmt-string';

export function goFormat(format: string, args: readonly GoArg[]): string {
  const state = new FormatState(format, args);
  state.run();
  return state.p.buf;
}

/** Go refuses widths, precisions and argument indexes beyond a million. */
const tooLarge = (n: number): boolean => n > 1e6 || n < -1e6;
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

class FormatState {
  readonly p = new Printer();
  private i = 0;
  private argNum = 0;
  private reordered = false;
  private goodArgNum = true;
  private afterIndex = false;
  private erroring = false;

  constructor(
    private readonly format: string,
    private readonly args: readonly GoArg[],
  ) {}

  run(): void {
    const { format } = this;
    while (this.i < format.length) {
      this.goodArgNum = true;
      const start = this.i;
      while (this.i < format.length && format[this.i] !== '%') this.i++;
      this.p.write(format.slice(start, this.i));
      if (this.i >= format.length) break;
      this.i++;
      this.p.f = noFlags();
      if (this.simpleVerb()) continue;
      if (!this.complexVerb()) break;
    }
    this.extraArgs();
  }

  /**
   * Flags, then Go's fast path for a lowercase verb with an argument left; true if printed. The
   * '-' flag cancels '0': zero padding only ever goes on the left.
   */
  private simpleVerb(): boolean {
    const f = this.p.f;
    for (; this.i < this.format.length; this.i++) {
      const c = this.format[this.i]!;
      if (c === '#') f.sharp = true;
      else if (c === '0') f.zero = !f.minus;
      else if (c === '+') f.plus = true;
      else if (c === '-') [f.minus, f.zero] = [true, false];
      else if (c === ' ') f.space = true;
      else if (c >= 'a' && c <= 'z' && this.argNum < this.args.length) {
        this.i++;
        this.printVerb(c);
        return true;
      } else return false;
    }
    return false;
  }

  /** Argument index, width, precision, then the verb; false once the format ends without one. */
  private complexVerb(): boolean {
    const f = this.p.f;
    this.argIndex();
    if (this.format[this.i] === '*') {
      this.i++;
      [f.wid, f.widPresent] = this.intFromArg();
      if (!f.widPresent) this.p.write('%!(BADWIDTH)');
      if (f.wid < 0) [f.wid, f.minus, f.zero] = [-f.wid, true, false];
      this.afterIndex = false;
    } else {
      [f.wid, f.widPresent] = this.parseNum(this.format.length);
      if (this.afterIndex && f.widPresent) this.goodArgNum = false; // "%[3]2d"
    }
    if (this.i + 1 < this.format.length && this.format[this.i] === '.') this.precision();
    if (!this.afterIndex) this.argIndex();
    if (this.i >= this.format.length) {
      this.p.write('%!(NOVERB)');
      return false;
    }
    const verb = String.fromCodePoint(this.format.codePointAt(this.i)!);
    this.i += verb.length;
    if (verb === '%')
      this.p.write('%'); // takes no argument, ignores width and precision
    else if (!this.goodArgNum) this.p.write(`%!${verb}(BADINDEX)`);
    else if (this.argNum >= this.args.length) this.p.write(`%!${verb}(MISSING)`);
    else this.printVerb(verb);
    return true;
  }

  private precision(): void {
    const f = this.p.f;
    this.i++;
    if (this.afterIndex) this.goodArgNum = false; // "%[3].2d"
    this.argIndex();
    if (this.format[this.i] === '*') {
      this.i++;
      [f.prec, f.precPresent] = this.intFromArg();
      if (f.prec < 0) [f.prec, f.precPresent] = [0, false];
      if (!f.precPresent) this.p.write('%!(BADPREC)');
      this.afterIndex = false;
    } else {
      [f.prec, f.precPresent] = this.parseNum(this.format.length);
      if (!f.precPresent) [f.prec, f.precPresent] = [0, true]; // "%.f" means precision 0
    }
  }

  /** Prints the current argument; %v and %w move '+' and '#' aside (they mean %+v / %#v). */
  private printVerb(verb: string): void {
    const f = this.p.f;
    if (verb === 'v' || verb === 'w') {
      [f.sharpV, f.sharp, f.plusV, f.plus] = [f.sharp, false, f.plus, false];
    }
    this.printArg(this.args[this.argNum]!, verb);
    this.argNum++;
  }

  /** An explicit argument index `[n]` (1-based) at the cursor, if any. */
  private argIndex(): void {
    if (this.format[this.i] !== '[') {
      this.afterIndex = false;
      return;
    }
    this.reordered = true;
    const close = this.format.indexOf(']', this.i + 1);
    const text = close < 0 ? '' : this.format.slice(this.i + 1, close);
    // Go needs at least "[n]"; a bad index consumes up to the ']' (or just the '[').
    const parsed = close >= 0 && this.i + 3 <= this.format.length ? parseIndex(text) : undefined;
    const ok = parsed !== undefined;
    const index = ok ? parsed - 1 : -1;
    this.i = close >= 0 && this.i + 3 <= this.format.length ? close + 1 : this.i + 1;
    if (ok && index >= 0 && index < this.args.length) {
      this.argNum = index;
      this.afterIndex = true;
      return;
    }
    this.goodArgNum = false;
    this.afterIndex = ok;
  }

  /** Decimal digits at the cursor (Go's parsenum); absent when there are none or too many. */
  private parseNum(end: number): [number, boolean] {
    let n = 0;
    let present = false;
    while (this.i < end && isDigit(this.format[this.i])) {
      if (tooLarge(n)) {
        this.i = end;
        return [0, false];
      }
      n = n * 10 + Number(this.format[this.i++]);
      present = true;
    }
    return [n, present];
  }

  /** A width or precision taken from the argument list by '*': it must be an int64. */
  private intFromArg(): [number, boolean] {
    if (this.argNum >= this.args.length) return [0, false];
    const arg = this.args[this.argNum++]!;
    if (arg.type !== 'int64' || tooLarge(Number(arg.v))) return [0, false];
    return [Number(arg.v), true];
  }

  private printArg(arg: GoArg, verb: string): void {
    const p = this.p;
    if (verb === 'T') return fmtS(p, arg.type);
    let ok: boolean;
    switch (arg.type) {
      case 'int64':
        ok = verb !== 'p' && fmtInt64(p, arg.v, verb);
        break;
      case 'float64':
        ok = verb !== 'p' && fmtFloat64(p, arg.v, verb);
        break;
      case 'string':
        ok = verb !== 'p' && fmtString(p, arg.v, verb);
        break;
      case '*big.Int':
        // big.Int formats itself, except while fmt is reporting an error (then fmt prints the
        // struct) and for %w, which Sprintf refuses (Go's %p would print a memory address).
        if (this.erroring) p.write(bigIntStruct(arg.v, p.f.plusV));
        else if (verb !== 'w' && verb !== 'p') fmtBigInt(p, arg.v, verb);
        ok = this.erroring || (verb !== 'w' && verb !== 'p');
        break;
    }
    if (!ok) this.badVerb(arg, verb);
  }

  /** `%!d(string=foo)`: the argument printed with %v under the same flags. */
  private badVerb(arg: GoArg, verb: string): void {
    this.erroring = true;
    this.p.write(`%!${verb}(${arg.type}=`);
    this.printArg(arg, 'v');
    this.p.write(')');
    this.erroring = false;
  }

  /** Unused arguments are listed, unless an explicit index made the order unknowable. */
  private extraArgs(): void {
    if (this.reordered || this.argNum >= this.args.length) return;
    this.p.f = noFlags();
    this.p.write('%!(EXTRA ');
    this.args.slice(this.argNum).forEach((arg, k) => {
      if (k > 0) this.p.write(', ');
      this.p.write(`${arg.type}=`);
      this.printArg(arg, 'v');
    });
    this.p.write(')');
  }
}

/** The number inside "[n]": digits only, and not too large. */
function parseIndex(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  let n = 0;
  for (const c of text) {
    if (tooLarge(n)) return undefined;
    n = n * 10 + Number(c);
  }
  return n;
}
