// The digest OPA records for each bundle file in .signatures.json (OPA v1/bundle/hash.go and
// verify.go, checked against the real opa in test/integration/artifact-opa.test.ts):
// - "structured" files, by base name data.json, data.yaml, signatures.json and .manifest, are
//   parsed and hashed over a normal form, so whitespace and key order do not matter: an object
//   is `{` key `:` value `,` ... `}` with its keys in byte order, an array `[` v `,` ... `]`, a
//   string as Go's encoding/json writes it without HTML escaping, a number as its literal text
//   (OPA decodes with json.Number, so 1.50 stays 1.50), true/false/null as they are;
// - every other file (policy.wasm, the Rego sources) is hashed over its bytes.
// Go keeps the last of repeated keys; so does this. YAML data files are not supported here.
import { createHash } from 'node:crypto';

/** OPA's names for the file hash algorithms, as node:crypto names them. */
export const HASH_ALGORITHMS: Readonly<Record<string, string>> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-224': 'sha224',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
  'SHA-512-224': 'sha512-224',
  'SHA-512-256': 'sha512-256',
};

/** Whether OPA hashes this file as parsed JSON rather than as bytes. */
export function isStructuredFile(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return (
    base === 'data.json' ||
    base === 'data.yaml' ||
    base === 'signatures.json' ||
    base === '.manifest'
  );
}

/** The hex digest OPA records for the file; throws Error (a message) when it cannot be hashed. */
export function opaFileHash(name: string, content: Buffer, algorithm = 'SHA-256'): string {
  const nodeAlg = HASH_ALGORITHMS[algorithm];
  if (!nodeAlg) throw new Error(`unsupported hash algorithm ${JSON.stringify(algorithm)}`);
  const hash = createHash(nodeAlg);
  if (!isStructuredFile(name)) return hash.update(content).digest('hex');
  if (name.endsWith('.yaml')) throw new Error(`${name}: YAML data files are not supported`);
  let text = content.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a UTF-8 byte order mark
  hash.update(normalJson(text));
  return hash.digest('hex');
}

/** The normal form OPA hashes, of a JSON text; throws on text that is not JSON. */
export function normalJson(text: string): string {
  const parser = new Parser(text);
  parser.space();
  const out = parser.value();
  parser.space();
  if (parser.at < text.length) parser.fail('unexpected text after the JSON value');
  return out;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class Parser {
  at = 0;
  constructor(private readonly s: string) {}

  fail(what: string): never {
    throw new Error(`invalid JSON at character ${this.at}: ${what}`);
  }

  space(): void {
    while (this.at < this.s.length && ' \t\n\r'.includes(this.s[this.at]!)) this.at++;
  }

  value(): string {
    const c = this.s[this.at];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return goString(this.string());
    for (const word of ['true', 'false', 'null']) {
      if (this.s.startsWith(word, this.at)) {
        this.at += word.length;
        return word;
      }
    }
    NUMBER.lastIndex = this.at;
    const m = NUMBER.exec(this.s);
    if (!m) this.fail('expected a value');
    this.at += m[0].length;
    return m[0];
  }

  object(): string {
    this.at++;
    const entries = new Map<string, string>();
    this.space();
    if (this.s[this.at] === '}') {
      this.at++;
      return '{}';
    }
    for (;;) {
      this.space();
      if (this.s[this.at] !== '"') this.fail('expected a key');
      const key = this.string();
      this.space();
      if (this.s[this.at] !== ':') this.fail('expected ":"');
      this.at++;
      this.space();
      entries.set(key, this.value());
      this.space();
      const c = this.s[this.at++];
      if (c === '}') break;
      if (c !== ',') this.fail('expected "," or "}"');
    }
    const keys = [...entries.keys()].sort((a, b) => Buffer.compare(utf8(a), utf8(b)));
    return `{${keys.map((k) => `${goString(k)}:${entries.get(k)}`).join(',')}}`;
  }

  array(): string {
    this.at++;
    const items: string[] = [];
    this.space();
    if (this.s[this.at] === ']') {
      this.at++;
      return '[]';
    }
    for (;;) {
      this.space();
      items.push(this.value());
      this.space();
      const c = this.s[this.at++];
      if (c === ']') break;
      if (c !== ',') this.fail('expected "," or "]"');
    }
    return `[${items.join(',')}]`;
  }

  /** A JSON string literal, decoded. */
  string(): string {
    const start = this.at;
    this.at++;
    for (;;) {
      const c = this.s[this.at];
      if (c === undefined) this.fail('unterminated string');
      if (c === '"') break;
      if (c === '\\') this.at++;
      else if (c < ' ') this.fail('a control character in a string');
      this.at++;
    }
    this.at++;
    try {
      return JSON.parse(this.s.slice(start, this.at)) as string;
    } catch {
      this.at = start;
      return this.fail('a bad escape in a string');
    }
  }
}

function utf8(s: string): Buffer {
  return Buffer.from(goRunes(s), 'utf8');
}

/** Lone surrogates become U+FFFD, as Go's decoder makes them. */
function goRunes(s: string): string {
  return s.replace(
    /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    '\ufffd',
  );
}

const HEX = '0123456789abcdef';

/** A string as Go's encoding/json writes it with SetEscapeHTML(false) (Go 1.22 and later). */
export function goString(s: string): string {
  let out = '"';
  for (const ch of goRunes(s)) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c < 0x20) {
      const short = { 8: 'b', 9: 't', 10: 'n', 12: 'f', 13: 'r' }[c];
      out += short ? `\\${short}` : `\\u00${HEX[c >> 4]}${HEX[c & 15]}`;
    } else if (c === 0x2028 || c === 0x2029) out += `\\u202${HEX[c & 15]}`;
    else out += ch;
  }
  return `${out}"`;
}
