import { anyPrefixMatch, anySuffixMatch } from '../../../../src/policy/builtins/strings-match';
import { opaEvalPackage, removePolicies, requireOpa, writePolicy } from './opa-harness';

type Operand = string | string[];

/** [search, base, any_prefix_match, any_suffix_match] */
const CASES: [Operand, Operand, boolean, boolean][] = [
  ['foobar', 'foo', true, false],
  ['foobar', 'bar', false, true],
  ['foobar', 'foobar', true, true],
  ['foo', 'foobar', false, false],
  ['foobar', '', true, true],
  ['', '', true, true],
  ['', 'a', false, false],
  [['a/b', 'c/d'], 'c/', true, false],
  [['a/b', 'c/d'], ['x', '/d'], false, true],
  [['registry.example.com/app', 'docker.io/nginx'], ['gcr.io/', 'docker.io/'], true, false],
  [[], 'a', false, false],
  ['a', [], false, false],
  [[], [], false, false],
  [['', 'x'], [''], true, true],
  [['abc', 'x'], ['abcd', 'ab'], true, false],
  [['é😀x'], ['é😀'], true, false],
  [['xé😀'], ['😀', 'zz'], false, true],
  ['ÿ', '\u00ff', true, true],
];

const show = (x: Operand): string => JSON.stringify(x);

describe('anyPrefixMatch / anySuffixMatch', () => {
  it.each(CASES)('(%j, %j) prefix=%p suffix=%p', (search, base, prefix, suffix) => {
    expect(anyPrefixMatch(search, base)).toBe(prefix);
    expect(anySuffixMatch(search, base)).toBe(suffix);
  });

  it.each<[unknown, unknown, string]>([
    [
      1,
      'a',
      'strings.any_prefix_match: operand 1 must be one of {string, set, array} but got number',
    ],
    [
      'a',
      null,
      'strings.any_prefix_match: operand 2 must be one of {string, set, array} but got null',
    ],
    [
      {},
      'a',
      'strings.any_prefix_match: operand 1 must be one of {string, set, array} but got object',
    ],
    [
      ['a', 1],
      'a',
      'strings.any_prefix_match: operand 1 must be array of strings but got array containing number',
    ],
    [
      'a',
      [true],
      'strings.any_prefix_match: operand 2 must be array of strings but got array containing boolean',
    ],
  ])('rejects (%j, %j)', (search, base, message) => {
    expect(() => anyPrefixMatch(search as Operand, base as Operand)).toThrow(new Error(message));
    const suffixMessage = message.replace('any_prefix_match', 'any_suffix_match');
    expect(() => anySuffixMatch(search as Operand, base as Operand)).toThrow(
      new Error(suffixMessage),
    );
  });

  describe('parity with opa eval (arrays and sets alike)', () => {
    let opa: Record<string, unknown>;
    // Each case also runs with its arrays written as Rego sets.
    const asSet = (x: Operand): string =>
      typeof x === 'string' ? show(x) : x.length === 0 ? 'set()' : `{${x.map(show).join(', ')}}`;

    beforeAll(() => {
      requireOpa();
      const rules = CASES.flatMap(([s, b], i) => [
        `p${i} := strings.any_prefix_match(${show(s)}, ${show(b)})`,
        `s${i} := strings.any_suffix_match(${show(s)}, ${show(b)})`,
        `ps${i} := strings.any_prefix_match(${asSet(s)}, ${asSet(b)})`,
        `ss${i} := strings.any_suffix_match(${asSet(s)}, ${asSet(b)})`,
      ]);
      opa = opaEvalPackage(writePolicy('strings_match_parity', rules), 'strings_match_parity');
    }, 60_000);

    it.each(CASES.map((c, i) => [i, ...c] as const))('case %i: (%j, %j)', (i, search, base) => {
      const prefix = anyPrefixMatch(search, base);
      const suffix = anySuffixMatch(search, base);
      expect([opa[`p${i}`], opa[`s${i}`], opa[`ps${i}`], opa[`ss${i}`]]).toEqual([
        prefix,
        suffix,
        prefix,
        suffix,
      ]);
    });
  });
});

afterAll(removePolicies);
