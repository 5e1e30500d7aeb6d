import { casts, regoValueText } from '../../../../src/policy/builtins/cast';
import { parseRegoValue, type RegoValue } from '../../../../src/policy/builtins/rego-value';

const v = (text: string): RegoValue => parseRegoValue(text);

describe('cast_*', () => {
  const ok: [string, string, string][] = [
    ['cast_array', '[2, 1]', '[2, 1]'],
    ['cast_array', '{"b", "a", 1}', '[1, "a", "b"]'],
    ['cast_array', 'set()', '[]'],
    ['cast_set', '[1, 1, "x"]', '{1, 1, "x"}'],
    ['cast_set', '{"a"}', '{"a"}'],
    ['cast_set', '[]', 'set()'],
    ['cast_string', '"é\\n\\u0001"', '"é\\n\\u0001"'],
    ['cast_boolean', 'false', 'false'],
    ['cast_null', 'null', 'null'],
    ['cast_object', '{"k": {"s"}}', '{"k": {"s"}}'],
  ];
  for (const [name, input, text] of ok) {
    it(`${name}(${input}) is ${text}`, () => {
      expect(regoValueText(casts[name]!(v(input)))).toBe(text);
    });
  }

  const refused: [string, string, string][] = [
    ['cast_array', '"a"', 'cast_array: operand 1 must be one of {array, set} but got string'],
    ['cast_set', '{"a": 1}', 'cast_set: operand 1 must be one of {array, set} but got object'],
    ['cast_string', '1', 'cast_string: operand 1 must be string but got number'],
    ['cast_boolean', '"true"', 'cast_boolean: operand 1 must be boolean but got string'],
    ['cast_null', 'false', 'cast_null: operand 1 must be null but got boolean'],
    ['cast_object', '[]', 'cast_object: operand 1 must be object but got array'],
  ];
  for (const [name, input, message] of refused) {
    it(`${name}(${input}) fails (the expression is undefined)`, () => {
      expect(() => casts[name]!(v(input))).toThrow(message);
    });
  }
});
