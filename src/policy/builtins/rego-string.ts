// The Rego String() form of a value (ast.Term.String() in Go), which is what Go's `sprintf` gets
// for any argument that is not a number or a string: `["x", 1, null]`, `{"a": 1}`, `{"a", "b"}`,
// `set()`. Numbers keep their literal text; strings are quoted by strconv.Quote, so they are
// Go-escaped (`"\x01"`, `"\u2028"`), not JSON-escaped; sets and object keys are sorted in OPA's
// value order because Go's OPA prints them sorted.

import { goQuote } from './go-quote';
import { sortEntries, sortValues } from './rego-compare';
import type { RegoValue } from './rego-value';

export function regoToString(v: RegoValue, quote: (s: string) => string = goQuote): string {
  const text = (x: RegoValue) => regoToString(x, quote);
  switch (v.t) {
    case 'null':
      return 'null';
    case 'bool':
      return String(v.v);
    case 'number':
      return v.text;
    case 'string':
      return quote(v.v);
    case 'array':
      return `[${v.items.map(text).join(', ')}]`;
    case 'set':
      if (v.items.length === 0) return 'set()';
      return `{${sortValues(v.items).map(text).join(', ')}}`;
    case 'object': {
      const pairs = sortEntries(v.entries).map(([k, x]) => `${text(k)}: ${text(x)}`);
      return `{${pairs.join(', ')}}`;
    }
  }
}
