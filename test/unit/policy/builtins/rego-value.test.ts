import { fromJson, parseRegoValue, RegoValue } from '../../../../src/policy/builtins/rego-value';

const num = (text: string): RegoValue => ({ t: 'number', text });
const str = (v: string): RegoValue => ({ t: 'string', v });

describe('parseRegoValue', () => {
  it.each<[string, RegoValue]>([
    ['null', { t: 'null' }],
    ['true', { t: 'bool', v: true }],
    ['false', { t: 'bool', v: false }],
    ['0', num('0')],
    ['-0', num('-0')],
    ['1.0', num('1.0')],
    ['1e3', num('1e3')],
    ['1E+3', num('1E+3')],
    ['-1.5e-7', num('-1.5e-7')],
    ['12345678901234567890', num('12345678901234567890')],
    ['3.33333333333333333', num('3.33333333333333333')],
    ['1.0e+309', num('1.0e+309')],
    ['""', str('')],
    ['"a\\"b\\\\c\\/d"', str('a"b\\c/d')],
    ['"\\b\\f\\n\\r\\t"', str('\b\f\n\r\t')],
    ['"\\u0008\\u000c\\u0001\\u00e9"', str('\b\f\u0001é')],
    ['"\\ud83d\\ude00"', str('😀')],
    ['"é😀\x7f\u2028"', str('é😀\x7f\u2028')],
    ['[]', { t: 'array', items: [] }],
    ['[1, "a", null]', { t: 'array', items: [num('1'), str('a'), { t: 'null' }] }],
    ['{}', { t: 'object', entries: [] }],
    ['set()', { t: 'set', items: [] }],
    ['{"b", "a"}', { t: 'set', items: [str('b'), str('a')] }],
    ['{1}', { t: 'set', items: [num('1')] }],
    ['{"k": {"z"}}', { t: 'object', entries: [[str('k'), { t: 'set', items: [str('z')] }]] }],
    [
      '{[1]: 2, {"x"}: set(), null: {}}',
      {
        t: 'object',
        entries: [
          [{ t: 'array', items: [num('1')] }, num('2')],
          [
            { t: 'set', items: [str('x')] },
            { t: 'set', items: [] },
          ],
          [{ t: 'null' }, { t: 'object', entries: [] }],
        ],
      },
    ],
    [
      '{{1}, {2}}',
      {
        t: 'set',
        items: [
          { t: 'set', items: [num('1')] },
          { t: 'set', items: [num('2')] },
        ],
      },
    ],
    [' [ 1 ,2 ]\n', { t: 'array', items: [num('1'), num('2')] }],
  ])('parses %s', (text, expected) => {
    expect(parseRegoValue(text)).toEqual(expected);
  });

  it('handles deep nesting without re-parsing (linear time)', () => {
    const depth = 2000;
    const text = '{'.repeat(depth) + '1' + '}'.repeat(depth);
    let v = parseRegoValue(text);
    for (let i = 0; i < depth; i++) {
      expect(v.t).toBe('set');
      v = (v as Extract<RegoValue, { t: 'set' }>).items[0]!;
    }
    expect(v).toEqual(num('1'));
  });

  it.each<[string, string]>([
    ['', 'unexpected end of text at offset 0'],
    ['nul', 'unexpected character at offset 0'],
    ['[1, 2', "expected ',' at offset 5"],
    ['[1 2]', "expected ',' at offset 3"],
    ['[1,]', 'unexpected character at offset 3'],
    ['{"a": 1, "b"}', "expected ':' at offset 12"],
    ['{"a", "b": 1}', "expected ',' at offset 9"],
    ['{"a" 1}', "expected ',' at offset 5"],
    ['"abc', 'unterminated string at offset 4'],
    ['"\\x41"', 'invalid escape at offset 2'],
    ['"\\u12"', 'invalid \\u escape at offset 3'],
    ['-', 'malformed number at offset 0'],
    ['1 2', 'unexpected trailing text at offset 2'],
    ['set( )', 'unexpected character at offset 0'],
    ['True', 'unexpected character at offset 0'],
  ])('rejects %j', (text, message) => {
    expect(() => parseRegoValue(text)).toThrow(`parseRegoValue: ${message}`);
  });
});

describe('fromJson', () => {
  it.each<[unknown, RegoValue]>([
    [null, { t: 'null' }],
    [true, { t: 'bool', v: true }],
    [1.5, num('1.5')],
    [1e21, num('1e+21')],
    ['x', str('x')],
    [[1, [2]], { t: 'array', items: [num('1'), { t: 'array', items: [num('2')] }] }],
    [
      { a: { b: null } },
      { t: 'object', entries: [[str('a'), { t: 'object', entries: [[str('b'), { t: 'null' }]] }]] },
    ],
  ])('converts %j', (value, expected) => {
    expect(fromJson(value)).toEqual(expected);
  });

  it.each<[unknown, string]>([
    [NaN, 'fromJson: NaN is not a JSON number'],
    [Infinity, 'fromJson: Infinity is not a JSON number'],
    [undefined, 'fromJson: a undefined is not a JSON value'],
    [10n, 'fromJson: a bigint is not a JSON value'],
  ])('rejects %p', (value, message) => {
    expect(() => fromJson(value)).toThrow(message);
  });
});
