import { hostBuiltins } from '../../../../src/policy/builtins';
import { parseRegoValue } from '../../../../src/policy/builtins/rego-value';

const call = (name: string, ...args: unknown[]): unknown => hostBuiltins[name]!.fn(...args);

describe('hostBuiltins', () => {
  it('lists each builtin with its arity; sprintf and cast_* take raw Rego values', () => {
    const shape = Object.fromEntries(
      Object.entries(hostBuiltins).map(([name, b]) => [
        name,
        [b.arity, b.rawArgs ?? false, b.rawResult ?? false],
      ]),
    );
    expect(shape).toEqual({
      sprintf: [2, true, false],
      'units.parse_bytes': [1, false, false],
      'units.parse': [1, false, false],
      'strings.any_prefix_match': [2, false, false],
      'strings.any_suffix_match': [2, false, false],
      // Deprecated, for v0 templates: a set in, a set out (cast_set).
      cast_array: [1, true, true],
      cast_boolean: [1, true, true],
      cast_null: [1, true, true],
      cast_object: [1, true, true],
      cast_set: [1, true, true],
      cast_string: [1, true, true],
    });
  });

  it.each<[string, unknown[], unknown]>([
    ['sprintf', [parseRegoValue('"%v|%d"'), parseRegoValue('[{"b", "a"}, 1]')], '{"a", "b"}|1'],
    ['units.parse_bytes', ['10MiB'], 10485760],
    ['units.parse', ['100m'], 0.1],
    ['strings.any_prefix_match', [['a/b', 'c/d'], 'c/'], true],
    ['strings.any_suffix_match', ['x.example.com', ['.example.com']], true],
  ])('%s answers', (name, args, expected) => {
    expect(call(name, ...args)).toEqual(expected);
  });

  it.each<[string, unknown[], string]>([
    [
      'sprintf',
      [parseRegoValue('1'), parseRegoValue('[]')],
      'sprintf: operand 1 must be string but got number',
    ],
    [
      'sprintf',
      [parseRegoValue('"%v"'), parseRegoValue('{1}')],
      'sprintf: operand 2 must be array but got set',
    ],
    [
      'sprintf',
      [parseRegoValue('"%v"'), parseRegoValue('null')],
      'sprintf: operand 2 must be array but got null',
    ],
    ['units.parse_bytes', [1024], 'units.parse_bytes: operand 1 must be string but got number'],
    ['units.parse', [['1']], 'units.parse: operand 1 must be string but got array'],
    ['units.parse', ['1 K'], 'units.parse: spaces not allowed in resource strings'],
    [
      'strings.any_prefix_match',
      [null, 'a'],
      'strings.any_prefix_match: operand 1 must be one of {string, set, array} but got null',
    ],
  ])("%s rejects bad operands with OPA's message", (name, args, message) => {
    expect(() => call(name, ...args)).toThrow(new Error(message));
  });
});
