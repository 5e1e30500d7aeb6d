// OPA's `sprintf` builtin (topdown/strings.go builtinSprintf): Rego values become Go values, then
// Go's fmt.Sprintf formats them. Policies build their denial messages with it, so its output must
// match what `opa eval` and `opa test` print byte for byte.
//
// Conversion, per argument: a number that parses as int64 is an int64; else one that parses as a
// base-10 integer is a *big.Int; else one that parses as a float64 is a float64; else (e.g. 1e400,
// out of float64 range) its text as a string. A string is a string. Anything else (arrays,
// objects, sets, booleans, null) is its Rego String() text, e.g. `{"a", "b"}`, as a string, so
// `%v` and `%s` print it and `%d` or `%t` report `%!d(string=...)`.

import { GoArg } from './go-fmt-printer';
import { goFormat } from './go-printf';
import type { RegoValue } from './rego-value';
import { regoToString } from './rego-string';

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const INTEGER = /^[+-]?\d+$/;
// The spellings Go's strconv.ParseFloat accepts that a Rego number can have.
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export function goSprintf(format: string, args: readonly RegoValue[]): string {
  return goFormat(format, args.map(toGoArg));
}

export function toGoArg(v: RegoValue): GoArg {
  switch (v.t) {
    case 'number':
      return numberArg(v.text);
    case 'string':
      return { type: 'string', v: v.v };
    default:
      return { type: 'string', v: regoToString(v) };
  }
}

function numberArg(text: string): GoArg {
  if (INTEGER.test(text)) {
    const n = BigInt(text);
    return n >= INT64_MIN && n <= INT64_MAX ? { type: 'int64', v: n } : { type: '*big.Int', v: n };
  }
  const f = FLOAT.test(text) ? Number(text) : NaN;
  // ParseFloat fails on overflow (±Inf), but not on underflow to zero.
  if (Number.isFinite(f)) return { type: 'float64', v: f };
  return { type: 'string', v: text };
}
