// The builtins Palisade supplies to compiled policies, because OPA's wasm target calls out to the
// host for them (policies/capabilities.json lists what a policy may use).
//
// Shape of an entry, keyed by OPA builtin name:
// - arity (number): how many arguments OPA passes (opa_builtin<arity>).
// - rawArgs (boolean, default false): when true, each argument is a RegoValue parsed from
//   `opa_value_dump`, which keeps sets and the literal text of numbers; when false, each argument is
//   the JSON-decoded value from `opa_json_dump` (a set arrives as an array).
// - fn: returns a JSON-encodable result. It throws on bad arguments, with OPA's error message;
//   the runtime turns that into an undefined expression, as OPA does with non-strict builtin
//   errors.
// - rawResult (boolean, default false): fn returns a RegoValue, written back in Rego value
//   syntax (opa_value_parse), so a builtin can return a set.
// sprintf needs raw arguments: `sprintf("%v", [{"a"}])` must print `{"a"}`, and `%d` must
// tell 1 from 1.0. The cast_* builtins need raw arguments and results: a set stays a set.

import { casts } from './cast';
import { goSprintf } from './go-sprintf';
import { REGO_TYPE_NAMES, type RegoValue } from './rego-value';
import { anyPrefixMatch, anySuffixMatch, StringOrStrings, typeName } from './strings-match';
import { unitsParse, unitsParseBytes } from './units';

export interface HostBuiltin {
  arity: number;
  rawArgs?: boolean;
  rawResult?: boolean;
  fn: (...args: unknown[]) => unknown;
}

export const hostBuiltins: Readonly<Record<string, HostBuiltin>> = {
  sprintf: { arity: 2, rawArgs: true, fn: sprintf },
  'units.parse_bytes': {
    arity: 1,
    fn: (s) => unitsParseBytes(stringOperand('units.parse_bytes', s)),
  },
  'units.parse': { arity: 1, fn: (s) => unitsParse(stringOperand('units.parse', s)) },
  // Type errors for these two are raised inside, with OPA's wording.
  'strings.any_prefix_match': {
    arity: 2,
    fn: (a, b) => anyPrefixMatch(a as StringOrStrings, b as StringOrStrings),
  },
  'strings.any_suffix_match': {
    arity: 2,
    fn: (a, b) => anySuffixMatch(a as StringOrStrings, b as StringOrStrings),
  },
  // Deprecated: v0 Rego only (Gatekeeper's older templates); v1 modules cannot call them.
  ...Object.fromEntries(
    Object.entries(casts).map(([name, fn]) => [
      name,
      { arity: 1, rawArgs: true, rawResult: true, fn: (v: unknown) => fn(v as RegoValue) },
    ]),
  ),
};

function stringOperand(name: string, x: unknown): string {
  if (typeof x !== 'string')
    throw new Error(`${name}: operand 1 must be string but got ${typeName(x)}`);
  return x;
}

function sprintf(format: unknown, values: unknown): string {
  const f = format as RegoValue;
  const v = values as RegoValue;
  if (f.t !== 'string') {
    throw new Error(`sprintf: operand 1 must be string but got ${REGO_TYPE_NAMES[f.t]}`);
  }
  if (v.t !== 'array') {
    throw new Error(`sprintf: operand 2 must be array but got ${REGO_TYPE_NAMES[v.t]}`);
  }
  return goSprintf(f.v, v.items);
}
