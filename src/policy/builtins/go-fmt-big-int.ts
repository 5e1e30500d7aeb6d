// Go's (*big.Int).Format (math/big/intconv.go), which fmt calls for a *big.Int argument because
// big.Int implements fmt.Formatter. OPA passes integers beyond int64 to sprintf as *big.Int.
//
// It handles every verb itself: %b %o %O %d %s %v %x %X format the number; any other verb prints
// `%!z(big.Int=123)` (note: no '*', and no flags applied), unlike fmt's own bad-verb text.

import type { Printer } from './go-fmt-printer';

const BASES: Record<string, number> = { b: 2, o: 8, O: 8, d: 10, s: 10, v: 10, x: 16, X: 16 };
const SHARP_PREFIX: Record<string, string> = { b: '0b', o: '0', x: '0x', X: '0X' };

export function fmtBigInt(p: Printer, x: bigint, verb: string): void {
  const base = BASES[verb];
  if (base === undefined) {
    p.write(`%!${verb}(big.Int=${x})`);
    return;
  }
  const f = p.f;
  // fmt.State.Flag reports '+' and '#' also when they were moved aside for %+v / %#v.
  const plus = f.plus || f.plusV;
  const sharp = f.sharp || f.sharpV;
  const sign = x < 0n ? '-' : plus ? '+' : f.space ? ' ' : '';
  let prefix = sharp ? (SHARP_PREFIX[verb] ?? '') : '';
  if (verb === 'O') prefix = '0o';
  let digits = (x < 0n ? -x : x).toString(base);
  if (verb === 'X') digits = digits.toUpperCase();

  let zeros = 0;
  if (f.precPresent) {
    if (digits.length < f.prec) zeros = f.prec - digits.length;
    else if (digits === '0' && f.prec === 0) return; // nothing at all, not even padding
  }
  let left = 0;
  let right = 0;
  const length = sign.length + prefix.length + zeros + digits.length;
  if (f.widPresent && length < f.wid) {
    const d = f.wid - length;
    if (f.minus) right = d;
    else if (f.zero && !f.precPresent) zeros = d;
    else left = d;
  }
  p.write(' '.repeat(left) + sign + prefix + '0'.repeat(zeros) + digits + ' '.repeat(right));
}

/**
 * How fmt prints a *big.Int when it bypasses Format (only for a bad %w): the struct behind the
 * pointer, `&{false [123]}`, with the magnitude as little-endian 64-bit words.
 */
export function bigIntStruct(x: bigint, plusV: boolean): string {
  const words: string[] = [];
  for (let m = x < 0n ? -x : x; m > 0n; m >>= 64n) words.push((m & ((1n << 64n) - 1n)).toString());
  const neg = String(x < 0n);
  return plusV ? `&{neg:${neg} abs:[${words.join(' ')}]}` : `&{${neg} [${words.join(' ')}]}`;
}
