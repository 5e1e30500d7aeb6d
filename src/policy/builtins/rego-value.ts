// Rego values as the compiled policy sees them, and a parser for the text `opa_value_dump` prints.
//
// Why not JSON.parse: a builtin like `sprintf` must see what Go's OPA sees, and JSON loses two
// things on the way out of wasm. Sets become arrays (so `{"a"}` would print as `["a"]`), and
// numbers lose their literal text (Rego keeps `1.0`, `1e3` and `12345678901234567890` verbatim,
// and Go's sprintf treats `1.0` as a float but `1` as an integer). `opa_value_dump` keeps both:
// it prints Rego value syntax, i.e. JSON plus `{a, b}` for a set, `set()` for the empty set, and
// objects whose keys may be any value (`{[1]: 2}`). Set elements and object entries come out in
// the wasm hash order, not sorted; consumers that need Go's order sort them (see rego-compare.ts).

export type RegoValue =
  | { t: 'null' }
  | { t: 'bool'; v: boolean }
  | { t: 'number'; text: string }
  | { t: 'string'; v: string }
  | { t: 'array'; items: RegoValue[] }
  | { t: 'set'; items: RegoValue[] }
  | { t: 'object'; entries: [RegoValue, RegoValue][] };

/** Each value type's name in OPA's messages. */
export const REGO_TYPE_NAMES: Readonly<Record<RegoValue['t'], string>> = {
  null: 'null',
  bool: 'boolean',
  number: 'number',
  string: 'string',
  array: 'array',
  object: 'object',
  set: 'set',
};

/** Parses the text of `opa_value_dump(addr)`; throws an Error naming the offset on bad input. */
export function parseRegoValue(text: string): RegoValue {
  const p = new DumpParser(text);
  const value = p.value();
  p.skipSpace();
  if (!p.atEnd()) p.fail('unexpected trailing text');
  return value;
}

/** Converts a plain JSON-decoded value (no sets) to a RegoValue. */
export function fromJson(value: unknown): RegoValue {
  if (value === null) return { t: 'null' };
  switch (typeof value) {
    case 'boolean':
      return { t: 'bool', v: value };
    case 'number':
      // NaN and Infinity have no JSON (or Rego) spelling.
      if (!Number.isFinite(value)) throw new Error(`fromJson: ${value} is not a JSON number`);
      return { t: 'number', text: String(value) };
    case 'string':
      return { t: 'string', v: value };
    case 'object':
      if (Array.isArray(value)) return { t: 'array', items: value.map(fromJson) };
      return {
        t: 'object',
        entries: Object.entries(value).map(([k, v]) => [{ t: 'string', v: k }, fromJson(v)]),
      };
    default:
      throw new Error(`fromJson: a ${typeof value} is not a JSON value`);
  }
}

// A JSON number, leniently allowing leading zeros: the dump prints computed numbers too, and a
// strict grammar would turn a harmless spelling into a failed policy evaluation.
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class DumpParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  fail(what: string): never {
    const near = JSON.stringify(this.text.slice(this.pos, this.pos + 20));
    throw new Error(`parseRegoValue: ${what} at offset ${this.pos} (near ${near})`);
  }

  skipSpace(): void {
    while (/[ \t\r\n]/.test(this.text.charAt(this.pos))) this.pos++;
  }

  value(): RegoValue {
    this.skipSpace();
    const c = this.text.charAt(this.pos);
    if (c === '"') return { t: 'string', v: this.string() };
    if (c === '[') return { t: 'array', items: this.list(']') };
    if (c === '{') return this.braced();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    if (this.word('null')) return { t: 'null' };
    if (this.word('true')) return { t: 'bool', v: true };
    if (this.word('false')) return { t: 'bool', v: false };
    if (this.word('set()')) return { t: 'set', items: [] };
    return this.fail(this.atEnd() ? 'unexpected end of text' : 'unexpected character');
  }

  private word(w: string): boolean {
    if (!this.text.startsWith(w, this.pos)) return false;
    this.pos += w.length;
    return true;
  }

  private expect(c: string): void {
    this.skipSpace();
    if (this.text.charAt(this.pos) !== c) this.fail(`expected '${c}'`);
    this.pos++;
  }

  private number(): RegoValue {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) return this.fail('malformed number');
    this.pos += m[0].length;
    return { t: 'number', text: m[0] };
  }

  /** Comma-separated values up to `close`; the opening bracket is at `pos`. */
  private list(close: string): RegoValue[] {
    this.pos++;
    this.skipSpace();
    if (this.text.charAt(this.pos) === close) {
      this.pos++;
      return [];
    }
    return this.rest(this.value(), close);
  }

  /** The remaining elements of a list whose first element has been parsed, and its `close`. */
  private rest(first: RegoValue, close: string): RegoValue[] {
    const items = [first];
    for (;;) {
      this.skipSpace();
      if (this.text.charAt(this.pos) === close) break;
      this.expect(',');
      items.push(this.value());
    }
    this.pos++;
    return items;
  }

  /** `{}` is the empty object; otherwise a `:` after the first element makes it an object. */
  private braced(): RegoValue {
    this.pos++;
    this.skipSpace();
    if (this.text.charAt(this.pos) === '}') {
      this.pos++;
      return { t: 'object', entries: [] };
    }
    const first = this.value();
    this.skipSpace();
    if (this.text.charAt(this.pos) !== ':') return { t: 'set', items: this.rest(first, '}') };
    const entries: [RegoValue, RegoValue][] = [];
    let key = first;
    for (;;) {
      this.expect(':');
      entries.push([key, this.value()]);
      this.skipSpace();
      if (this.text.charAt(this.pos) === '}') break;
      this.expect(',');
      key = this.value();
    }
    this.pos++;
    return { t: 'object', entries };
  }

  /** A JSON string; raw control characters are tolerated, since the dump is the only writer. */
  private string(): string {
    this.pos++;
    let out = '';
    for (;;) {
      if (this.atEnd()) this.fail('unterminated string');
      const c = this.text.charAt(this.pos++);
      if (c === '"') return out;
      out += c === '\\' ? this.escape() : c;
    }
  }

  private static readonly SIMPLE: Record<string, string> = {
    '"': '"',
    '\\': '\\',
    '/': '/',
    b: '\b',
    f: '\f',
    n: '\n',
    r: '\r',
    t: '\t',
  };

  /** One JSON escape after the backslash; `\uXXXX` pairs join into one code point naturally. */
  private escape(): string {
    const c = this.text.charAt(this.pos++);
    const simple = DumpParser.SIMPLE[c];
    if (simple !== undefined) return simple;
    if (c !== 'u') {
      this.pos--;
      return this.fail('invalid escape');
    }
    const hex = this.text.slice(this.pos, this.pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) return this.fail('invalid \\u escape');
    this.pos += 4;
    return String.fromCharCode(parseInt(hex, 16));
  }
}
