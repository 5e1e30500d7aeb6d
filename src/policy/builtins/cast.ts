// The deprecated cast_* builtins, which v0 Rego (Gatekeeper's older templates) may still call
// and OPA's wasm target leaves to the host. Each returns its operand when it already has the
// type (cast_array and cast_set also convert between arrays and sets) and fails otherwise, with
// OPA's message (topdown/casts.go); a failure makes the expression undefined, as in OPA.
// Operands and results are Rego values (rawArgs / rawResult) so a set stays a set.
import { sortValues } from './rego-compare';
import { regoToString } from './rego-string';
import { REGO_TYPE_NAMES, type RegoValue } from './rego-value';

type Cast = (v: RegoValue) => RegoValue;

function only(name: string, ...types: RegoValue['t'][]): Cast {
  return (v) => {
    if (types.includes(v.t)) return v;
    const want = types.length === 1 ? types[0]! : `one of {${types.join(', ')}}`;
    throw new Error(
      `${name}: operand 1 must be ${REGO_TYPE_NAMES[want as RegoValue['t']] ?? want} but got ${REGO_TYPE_NAMES[v.t]}`,
    );
  };
}

export const casts: Readonly<Record<string, Cast>> = {
  // Go's OPA walks a set in its sorted order.
  cast_array: (v) => {
    if (v.t === 'set') return { t: 'array', items: sortValues(v.items) };
    return only('cast_array', 'array', 'set')(v);
  },
  cast_set: (v) => {
    if (v.t === 'array') return { t: 'set', items: v.items };
    return only('cast_set', 'array', 'set')(v);
  },
  cast_string: only('cast_string', 'string'),
  cast_boolean: only('cast_boolean', 'bool'),
  cast_null: only('cast_null', 'null'),
  cast_object: only('cast_object', 'object'),
};

/**
 * A Rego value in the syntax opa_value_parse reads (what opa_value_dump prints): JSON, with
 * `{a, b}` for a set and `set()` for the empty one; strings JSON-escaped (Go's quoting, which
 * sprintf prints, writes `\x01`), numbers with their text.
 */
export function regoValueText(v: RegoValue): string {
  return regoToString(v, (s) => JSON.stringify(s));
}
