// OPA's strings.any_prefix_match and strings.any_suffix_match (topdown/strings.go): true when any
// string in `search` starts (ends) with any string in `base`. Either argument is one string or a
// collection of strings; a Rego set reaches the host JSON-decoded, i.e. as an array.
//
// OPA builds a trie for many-to-many matching; plain loops give the same answers, and the
// collections in admission policies are small.

export type StringOrStrings = string | readonly string[];

export function anyPrefixMatch(search: StringOrStrings, base: StringOrStrings): boolean {
  const strs = operand('strings.any_prefix_match', 1, search);
  const prefixes = operand('strings.any_prefix_match', 2, base);
  return strs.some((s) => prefixes.some((p) => s.startsWith(p)));
}

export function anySuffixMatch(search: StringOrStrings, base: StringOrStrings): boolean {
  const strs = operand('strings.any_suffix_match', 1, search);
  const suffixes = operand('strings.any_suffix_match', 2, base);
  return strs.some((s) => suffixes.some((x) => s.endsWith(x)));
}

/** The operand as a list of strings, with OPA's type errors for anything else. */
function operand(name: string, pos: number, x: unknown): readonly string[] {
  if (typeof x === 'string') return [x];
  if (!Array.isArray(x)) {
    throw new Error(
      `${name}: operand ${pos} must be one of {string, set, array} but got ${typeName(x)}`,
    );
  }
  for (const e of x) {
    if (typeof e !== 'string') {
      throw new Error(
        `${name}: operand ${pos} must be array of strings but got array containing ${typeName(e)}`,
      );
    }
  }
  return x as string[];
}

/** Rego's names for the JSON-decoded kinds of value. */
export function typeName(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'array';
  if (typeof x === 'object') return 'object';
  if (typeof x === 'boolean') return 'boolean';
  return typeof x;
}
