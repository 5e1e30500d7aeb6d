// Unit tables for the pieces behind goSprintf; go-sprintf-parity.test.ts checks the whole against
// OPA itself.

import { goSprintf, toGoArg } from '../../../../src/policy/builtins/go-sprintf';
import { formatFloat } from '../../../../src/policy/builtins/go-format-float';
import { goQuote, goQuoteRune } from '../../../../src/policy/builtins/go-quote';
import { compareNumberText, sortValues } from '../../../../src/policy/builtins/rego-compare';
import { regoToString } from '../../../../src/policy/builtins/rego-string';
import { parseRegoValue, RegoValue } from '../../../../src/policy/builtins/rego-value';

describe('toGoArg (OPA sprintf argument conversion)', () => {
  it.each([
    ['1', { type: 'int64', v: 1n }],
    ['-0', { type: 'int64', v: 0n }],
    ['9223372036854775807', { type: 'int64', v: 9223372036854775807n }],
    ['9223372036854775808', { type: '*big.Int', v: 9223372036854775808n }],
    ['-9223372036854775809', { type: '*big.Int', v: -9223372036854775809n }],
    ['1.0', { type: 'float64', v: 1 }],
    ['1e3', { type: 'float64', v: 1000 }],
    ['1e-400', { type: 'float64', v: 0 }],
    ['1e400', { type: 'string', v: '1e400' }],
    ['"x"', { type: 'string', v: 'x' }],
    ['true', { type: 'string', v: 'true' }],
    ['null', { type: 'string', v: 'null' }],
    ['{"b", "a"}', { type: 'string', v: '{"a", "b"}' }],
  ])('%s', (text, expected) => {
    expect(toGoArg(parseRegoValue(text))).toEqual(expected);
  });
});

describe('regoToString (Go ast String())', () => {
  it.each([
    ['set()', 'set()'],
    ['{}', '{}'],
    ['[1.0, 1e3, "\\u0001"]', '[1.0, 1e3, "\\x01"]'],
    ['{"b": {3, 1}, "a": null}', '{"a": null, "b": {1, 3}}'],
    ['{"s", 2, null, false, [0], {"k": 1}, set()}', '{null, false, 2, "s", [0], {"k": 1}, set()}'],
  ])('%s prints as %s', (text, expected) => {
    expect(regoToString(parseRegoValue(text))).toBe(expected);
  });
});

describe('rego ordering', () => {
  it.each([
    ['1', '2', -1],
    ['1.0', '1', 0],
    ['10.0', '1', 0], // OPA's NumberCompare trims trailing ".0" characters first
    ['1e3', '999', 1],
    ['-0', '0', 0],
    // Equal as float64 and both trimmed of trailing zeros: Go takes the float64 shortcut.
    ['0.10', '0.1000000000000000000010', 0],
    ['0.1', '0.1000000000000000000010', -1],
    ['1e400', '1e399', 1],
    ['-1e400', '1', -1],
  ])('compares %s with %s as %i', (a, b, expected) => {
    expect(Math.sign(compareNumberText(a, b))).toBe(expected);
  });

  it('sorts strings by code point, as Go compares UTF-8 bytes', () => {
    const set = parseRegoValue('{"\\uffff", "😀", "é", "Z", "a"}') as {
      t: 'set';
      items: RegoValue[];
    };
    expect(sortValues(set.items).map((v) => (v.t === 'string' ? v.v : null))).toEqual([
      'Z',
      'a',
      'é',
      '\uffff',
      '😀',
    ]);
  });
});

describe('Go strconv pieces', () => {
  it.each([
    [0.125, 'f', 2, '0.12'],
    [0.375, 'f', 2, '0.38'],
    [2.5, 'f', 0, '2'],
    [1e21, 'g', -1, '1e+21'],
    [1e-7, 'e', -1, '1e-07'],
    [123456, 'g', 3, '1.23e+05'],
    [0, 'e', 2, '0.00e+00'],
    [0, 'x', -1, '0x0p+00'],
    [1, 'b', -1, '4503599627370496p-52'],
    [5e-324, 'x', -1, '0x1p-1074'],
    [-Infinity, 'g', -1, '-Inf'],
    [NaN, 'f', 2, 'NaN'],
  ])('FormatFloat(%p, %s, %i) = %s', (x, fmt, prec, expected) => {
    expect(formatFloat(x, fmt, prec)).toBe(expected);
  });

  it.each([
    ['plain', '"plain"'],
    ['tab\there', '"tab\\there"'],
    ['\u0000\u001f\u007f', '"\\x00\\x1f\\x7f"'],
    ['\u00a0\u2028\ufeff', '"\\u00a0\\u2028\\ufeff"'],
    ['\u{e0001}', '"\\U000e0001"'],
    ['é 世 😀', '"é 世 😀"'],
    ['\ud800', '"�"'],
  ])('Quote(%j) = %s', (s, expected) => {
    expect(goQuote(s)).toBe(expected);
  });

  it.each([
    [0x41, "'A'"],
    [0x27, "'\\''"],
    [0x22, `'"'`],
    [0xd800, "'�'"],
    [0x110000, "'�'"],
  ])('QuoteRune(%i) = %s', (r, expected) => {
    expect(goQuoteRune(r)).toBe(expected);
  });
});

describe('goSprintf', () => {
  it('formats a set in OPA order whatever order the dump had', () => {
    const args = parseRegoValue('[{"b", "a"}, {"z": 1, "y": [2]}]') as {
      t: 'array';
      items: never[];
    };
    expect(goSprintf('%v and %v', args.items)).toBe('{"a", "b"} and {"y": [2], "z": 1}');
  });
});
