// OPA's digest of bundle files (src/policy/artifact/opa-hash.ts): fixed vectors taken from the
// real `opa build --signing-key` (1.22.2), and the normal form's rules one by one.
import { createHash } from 'node:crypto';
import { goString, normalJson, opaFileHash } from '../../../../src/policy/artifact/opa-hash';

describe('opaFileHash', () => {
  it.each([
    // data.json as written to the build, and the hash opa put in .signatures.json for it.
    [
      'data.json',
      '{"x":{"n":1.50,"s":"a\\u2028<b>","e":1e3}}\n',
      '784ba6f7d542fa35d3a9c179144076768c1d31d030a8cf7edbc71cb938296079',
    ],
    [
      '.manifest',
      '{"revision":"","roots":[""],"wasm":[{"entrypoint":"x/allow","module":"/policy.wasm"}],"rego_version":1}',
      '44df3cb32e3c31d223cfc158de55f1fbd2c6825542ef3a4f52790802638f2b8e',
    ],
    [
      'src/x/p.rego',
      'package x\n\nimport data.x.allow\n',
      'e8ba833793a786acc97a80a5b0fdfc019387eb4aa6c3c4594af3cd753d5fa15a',
    ],
  ])('hashes %s as opa does', (name, content, hash) => {
    expect(opaFileHash(name, Buffer.from(content))).toBe(hash);
  });

  it('hashes other files, palisade.json and .rego included, over their bytes', () => {
    const bytes = Buffer.from('{ "b": 1, "a": 2 }');
    const raw = createHash('sha256').update(bytes).digest('hex');
    expect(opaFileHash('palisade.json', bytes)).toBe(raw);
    expect(opaFileHash('policy.wasm', bytes)).toBe(raw);
    expect(opaFileHash('data.json', bytes)).not.toBe(raw);
    expect(opaFileHash('a/b/data.json', bytes)).toBe(opaFileHash('data.json', bytes));
  });

  it('takes the other hash algorithms by their OPA names and refuses unknown ones', () => {
    const bytes = Buffer.from('x');
    expect(opaFileHash('policy.wasm', bytes, 'SHA-512')).toBe(
      createHash('sha512').update(bytes).digest('hex'),
    );
    expect(() => opaFileHash('policy.wasm', bytes, 'SHA3-256')).toThrow(
      /unsupported hash algorithm "SHA3-256"/,
    );
    expect(() => opaFileHash('data.yaml', bytes)).toThrow(/YAML data files are not supported/);
  });
});

describe('the normal form of JSON', () => {
  it.each([
    ['whitespace goes', ' { "a" : [ 1 , 2 ] }\n', '{"a":[1,2]}'],
    [
      'keys in byte order (upper before lower, é after z)',
      '{"z":1,"é":2,"A":3,"a":4}',
      '{"A":3,"a":4,"z":1,"é":2}',
    ],
    ['number literals kept', '[1.50, 1e3, -0, 1E+2, 0.1]', '[1.50,1e3,-0,1E+2,0.1]'],
    ['the last of repeated keys wins', '{"a":1,"a":2}', '{"a":2}'],
    ['nested and empty', '{"b":{"d":[],"c":{}},"a":null}', '{"a":null,"b":{"c":{},"d":[]}}'],
    ['escapes decoded and re-encoded', '"\\u0041\\/\\u00e9"', '"A/é"'],
    ['top-level scalars', 'true', 'true'],
  ])('%s', (_what, text, normal) => {
    expect(normalJson(text)).toBe(normal);
  });

  it.each(['{"a":1,}', '[1 2]', '{"a"}', '01', '"a', '{} x', 'nul', '"\t"'])(
    'refuses %j',
    (text) => {
      expect(() => normalJson(text)).toThrow(/invalid JSON/);
    },
  );

  it('strips a UTF-8 byte order mark before parsing, as OPA does', () => {
    expect(opaFileHash('data.json', Buffer.from('\ufeff{"a":1}'))).toBe(
      opaFileHash('data.json', Buffer.from('{"a":1}')),
    );
  });
});

describe('strings as Go encoding/json writes them (no HTML escaping)', () => {
  it.each([
    ['<b>&</b>', '"<b>&</b>"'],
    ['q"b\\', '"q\\"b\\\\"'],
    ['\n\r\t\b\f', '"\\n\\r\\t\\b\\f"'],
    ['\u0001\u001f\u007f', '"\\u0001\\u001f\u007f"'],
    ['\u2028\u2029', '"\\u2028\\u2029"'],
    ['lone \ud800 surrogate', '"lone \ufffd surrogate"'],
    ['astral 😀', '"astral 😀"'],
  ])('%j', (s, encoded) => {
    expect(goString(s)).toBe(encoded);
  });
});
