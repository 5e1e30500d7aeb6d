// OPA's total order over values (ast.Compare in v1/ast/compare.go), used to sort set elements and
// object keys the way Go's OPA prints them: the wasm dump gives them in hash order instead.
//
// Kinds order null < boolean < number < string < array < object < set. Arrays compare element by
// element, then by length; objects compare their key-sorted (key, value) pairs the same way; sets
// compare their sorted elements. Strings compare by bytes of UTF-8, i.e. by code point.

import { compareDecimal, parseDecimal } from './decimal-text';
import type { RegoValue } from './rego-value';

const KIND_ORDER: Record<RegoValue['t'], number> = {
  null: 0,
  bool: 1,
  number: 2,
  string: 3,
  array: 7,
  object: 8,
  set: 9,
};

export function compareRegoValues(a: RegoValue, b: RegoValue): number {
  if (a.t !== b.t) return Math.sign(KIND_ORDER[a.t] - KIND_ORDER[b.t]);
  switch (a.t) {
    case 'null':
      return 0;
    case 'bool':
      return Number(a.v) - Number((b as typeof a).v);
    case 'number':
      return compareNumberText(a.text, (b as typeof a).text);
    case 'string':
      return compareCodePoints(a.v, (b as typeof a).v);
    case 'array':
      return compareLists(a.items, (b as typeof a).items);
    case 'set':
      return compareLists(sortValues(a.items), sortValues((b as typeof a).items));
    case 'object':
      return compareEntries(sortEntries(a.entries), sortEntries((b as typeof a).entries));
  }
}

/** A sorted copy; Array.prototype.sort is stable, so equal elements keep their order. */
export function sortValues(items: readonly RegoValue[]): RegoValue[] {
  return [...items].sort(compareRegoValues);
}

export function sortEntries(entries: readonly [RegoValue, RegoValue][]): [RegoValue, RegoValue][] {
  return [...entries].sort((x, y) => compareRegoValues(x[0], y[0]));
}

function compareLists(a: readonly RegoValue[], b: readonly RegoValue[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareRegoValues(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return Math.sign(a.length - b.length);
}

function compareEntries(a: [RegoValue, RegoValue][], b: [RegoValue, RegoValue][]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareRegoValues(a[i]![0], b[i]![0]) || compareRegoValues(a[i]![1], b[i]![1]);
    if (c !== 0) return c;
  }
  return Math.sign(a.length - b.length);
}

/** UTF-16 code-unit order differs from code-point order once surrogates meet U+E000..U+FFFF. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return Math.sign(a.length - b.length);
}

/**
 * ast.NumberCompare, quirks included: it first strips trailing '.' and '0' characters from
 * numbers containing a '.', so `10.0` and `1` compare equal (both become "1"). Otherwise the
 * comparison is exact; the int64 and float64 shortcuts Go takes agree with exact comparison.
 */
export function compareNumberText(x: string, y: string): number {
  const tx = x.includes('.') ? x.replace(/[.0]+$/, '') : x;
  const ty = y.includes('.') ? y.replace(/[.0]+$/, '') : y;
  if (tx === ty) return 0;
  const fx = x.includes('.') && tx !== x && tx.includes('.');
  const fy = y.includes('.') && ty !== y && ty.includes('.');
  // Go returns equal when both are still fractional after trimming and their float64s are equal.
  if (fx && fy && Number.isFinite(Number(x)) && Number(x) === Number(y)) return 0;
  const dx = parseDecimal(x);
  const dy = parseDecimal(y);
  if (!dx || !dy) throw new Error(`compare: illegal number ${dx ? y : x}`);
  return compareDecimal(dx, dy);
}
