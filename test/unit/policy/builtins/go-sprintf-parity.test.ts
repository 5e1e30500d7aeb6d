// Parity of goSprintf with OPA's Go `sprintf`, through the real wasm path.
//
// Every case becomes a rule `c<i> := sprintf(<format>, [<args>])` in one Rego file. `opa eval`
// gives Go's answer for all of them at once. The same file compiled to wasm calls our host
// sprintf: the test dumps the argument array with the module's opa_value_dump, parses it with
// parseRegoValue, formats it with goSprintf and hands the string back through opa_json_parse, so
// what is compared is what a policy would print in production.

import { goSprintf } from '../../../../src/policy/builtins/go-sprintf';
import { parseRegoValue, RegoValue } from '../../../../src/policy/builtins/rego-value';
import { buildWasm, opaEvalPackage, removePolicies, requireOpa, writePolicy } from './opa-harness';
import { WasmPolicy } from './wasm-harness';

/** [format, arguments as Rego literal text (the inside of the array)] */
const CASES: [string, string][] = [
  // integers
  ['%v %d', '42, -42'],
  ['%5d|%-5d|%05d|%+d|% d|%+05d', '42, 42, -42, 42, 42, 42'],
  ['%x %X %#x %#X %o %#o %O %b %#b', '255, 255, 255, 255, 8, 8, 8, 5, 5'],
  ['%x|%08x|%#08x|%-#8x|', '-255, -255, 255, 255'],
  ['%.3d|%8.3d|%-8.3d|%.0d|%5.0d|', '7, -7, 7, 0, 0'],
  ['%c%c%c|%c|%c', '72, 105, 33, 128512, -1'],
  ['%q %+q %#q %q', '65, 233, 96, 10'],
  ['%U %#U %#U %.6U %-8U|', '65, 233, 10, 65, 65'],
  ['%d', '9223372036854775807'],
  ['%d %v', '-9223372036854775808, -0'],
  ['%s|%t|%f|%e|%g|%z', '1, 2, 3, 4, 5, 6'],
  ['%5t|%-5s|%05z', '1, 2, 3'],
  // floats
  ['%v %v %v %v %v', '1.5, -2.25, 0.1, 1.0, 100.0'],
  ['%v %v %v %v', '1e6, 1e21, 1e-6, 0.0001'],
  ['%v %v %v', '123456789.0, 100000.0, 1234567.0'],
  ['%v %v %v', '-0.0, 0.0, 5e-324'],
  ['%v %v', '1.7976931348623157e308, 1e-400'],
  ['%f %.2f %.0f %.0f %.0f %.3f', '3.14159, 0.125, 0.5, 1.5, 2.5, 2.0005'],
  ['%.2f %.2f %.1f %.10f', '2.675, -1.005, 0.05, 0.1'],
  ['%8.2f|%-8.2f|%08.2f|%+.1f|% f|%+08.2f', '3.14159, 3.14159, -3.14159, 2.5, 2.5, 2.5'],
  ['%e %E %.3e %.0e %#.0e', '1234.5678, 0.000012345, 1234.5678, 15000.0, 2.0'],
  ['%g %G %.3g %.10g %g %g', '1234.5678, 1e-7, 1234.5678, 0.1, 1e100, 100000.0'],
  ['%#g %#.3g %#v %#.4g', '1.0, 1.0, 1.0, 123.0'],
  ['%x %X %.3x %#x %b', '1.5, -1.5, 3.14159, 1.0, 1.5'],
  ['%F %.1F %8.3e|', '1.25, 1.25, -0.000123'],
  ['%d|%s|%q|%c|%x', '1.5, 1.5, 1.5, 1.5, 1e3'],
  ['%v %v %v %v', '1E3, 1e+3, 2.50, 0.000001'],
  ['%6.2v|%.3v|%10v|', '3.14159, 1234.5678, 1e-7'],
  // numbers beyond int64 and float64
  ['%d %v %s', '12345678901234567890, -12345678901234567890, 99999999999999999999999'],
  [
    '%x %X %o %O %b',
    '18446744073709551616, 18446744073709551615, 9223372036854775808, 9223372036854775808, 9223372036854775808',
  ],
  [
    '%#x %#o %+d % d',
    '18446744073709551616, 9223372036854775808, 9223372036854775808, 9223372036854775808',
  ],
  [
    '%25d|%-25d|%025d|%.25d|%+025d',
    '12345678901234567890, 12345678901234567890, -12345678901234567890, 12345678901234567890, 12345678901234567890',
  ],
  [
    '%q|%f|%c|%U|%t',
    '12345678901234567890, 12345678901234567890, 12345678901234567890, 12345678901234567890, 12345678901234567890',
  ],
  ['%v %s %d %f', '1e400, -1.5e999, 1e400, 1e400'],
  ['%v %v', '123456789012345678901234567890.5, 0.1e1'],
  // strings
  ['%s|%v|%q', '"hello", "hello", "hello"'],
  ['%5s|%-5s|%05s|%.2s|%5.1s|%.0s|', '"ab", "ab", "ab", "abc", "abc", "abc"'],
  ['%q|%+q|%#q|%#q|%#+q', '"é😀\\n", "é😀\\n", "ab", "a`b", "x\\ty"'],
  ['%q', '"\\u0000\\u0007\\b\\f\\r\\u000b\\u001b\\u007f\\\\\\"\'"'],
  ['%q', '"\\u00a0\\u00ad\\u2028\\ufeff\\ue000\\u0301x\\uffff"'],
  ['%q %+q', '"世界 ü", "𝄞"'],
  ['%x|%X|% x|%# x|%#X|%.2x|%8x|%-8x|', '"hi", "hi", "hi", "hi", "hi", "hello", "hi", "hi"'],
  ['%x %X', '"é", ""'],
  ['%5x|%05x|%.1q|%8q|', '"", "", "héllo", "é"'],
  ['%d|%t|%c|%U|%e', '"foo", "true", "x", "x", "1.5"'],
  ['%s|%5s|%-5s|%.1s', '"é😀世", "é😀", "é😀", "😀x"'],
  ['%v', '""'],
  // booleans and null arrive as strings
  ['%v %s %t %d %q', 'true, false, true, false, true'],
  ['%v|%5v|%-6v|%q|%d', 'null, null, null, null, null'],
  // composites: Rego's String() form, sorted the way Go's OPA sorts
  ['%v', '["x", 1, null, true, 1.0, 1e3, -0.5]'],
  ['%v', '{"b": 1, "a": [1], "c": {"z": null, "y": true}}'],
  ['%v', '{"b", "a", "c"}'],
  ['%v', '{3, 1, 2, 10, -1, 2.5, 1e2, 0.001}'],
  ['%v', '{null, true, false, 0, "", [], {}, set()}'],
  ['%v', '{"k": {"z", "a"}, "j": [{"y"}, set()]}'],
  ['%v', '{[2], [1, 2], [1], {"b": 1}, {"a": 2}, {"a": 1, "b": 0}, {2}, {1, 3}}'],
  ['%v', '{1: "one", "1": "string one", [1]: "array", {"s"}: "set", null: 0, false: 1}'],
  ['%v %v %v', '[], {}, set()'],
  ['%v', '["é\\u0001\\u007f\\u2028😀\\t\\"\\\\", "a\\nb"]'],
  ['%v', '{"z", "é", "😀", "\\uffff", "Z", "a"}'],
  ['%v', '[[[[]]], {"a": {"b": {"c": {1}}}}]'],
  ['%s|%q|%d|%x', '[1], [1], [1], ["a"]'],
  ['%v', '{12345678901234567890, 1, -12345678901234567890, 1e400}'],
  ['%30v|%-12v|%.5v', '{"b": 1, "a": 2}, [1, 2], {"abc", "def"}'],
  [
    '%v',
    '{"long": "x", "a": 1, "bb": 2, "ccc": 3, "dddd": 4, "e": 5, "f": 6, "g": 7, "h": 8, "i": 9, "j": 10, "k": 11, "l": 12, "m": 13}',
  ],
  // argument errors
  ['%v %v', '1'],
  ['%d', ''],
  ['x', '1, "a", 2.5, [1], {"s"}, 12345678901234567890, null, true'],
  ['%v', '1, 2'],
  ['%[2]d %[1]d', '1, 2'],
  ['%[3]d|%[0]d|%[x]d|%[2]*d|%[1]d %v %v', '1, 2, 3'],
  ['%[1]d %d', '1, 2'],
  ['%[5]d %d', '1, 2'],
  ['%*d|%-*d|%*d|', '5, 1, 4, 2, -4, 3'],
  ['%.*f|%.*d|%*d|', '2, 3.14159, -1, 5, "x", 7'],
  ['%*d', '12345678901234567890, 1'],
  ['%z|%!|%é|%', '1, 2, 3'],
  ['%', '1'],
  ['%5.', '1'],
  ['%-', '1'],
  ['%5%|%-5%|%%|100%%', '1'],
  ['%T %T %T %T %T %T %T', '1, 1.5, "s", 12345678901234567890, [1], true, null'],
  ['%p|%w|%+w|%#w', '1, 1, "s", 2.5'],
  ['%3T|%-8T|', '1, "s"'],
  ['%!v(MISSING) %v', '"literal error text in the format"'],
  ['%d%%', '50'],
  ['%[1]s %[1]q %[1]x', '"é"'],
  ['%[2]v %v', '1, 2, 3'],
  ['%.[2]d', '1, 2'],
  ['%[1]*d', '3, 4'],
  ['%[1]5d', '3'],
  ['%[', '1'],
  ['%[1', '1'],
  ['%[]d', '1'],
  // a realistic denial message
  [
    'container %q in %s/%s uses image %q; allowed registries: %v (limits: %v)',
    '"nginx", "default", "web-1", "docker.io/nginx:latest", {"registry.example.com", "gcr.io/acme"}, {"cpu": "500m", "memory": "128Mi"}',
  ],
  ['%s must be at most %d characters, got %d (%.1f%%)', '"metadata.name", 63, 70, 111.11111'],
  ['%-10s|%10s|%-10v|%10v|', '"left", "right", [1, 2], {"k": "v"}'],
  ['%d items, %v, %s', '3, ["a", "b", "c"], {"c", "a", "b"}'],
  ['unicode %s → %q ✓', '"größe", "ñ"'],
];

const PKG = 'sprintf_parity';

describe('goSprintf parity with OPA sprintf (via wasm)', () => {
  let expected: Record<string, unknown>;
  const viaWasm: Record<string, unknown> = {};
  const dumps: Record<string, string> = {};
  let current = '';

  beforeAll(async () => {
    requireOpa();
    const rules = CASES.map(([f, a], i) => `c${i} := sprintf(${JSON.stringify(f)}, [${a}])`);
    const file = writePolicy(PKG, rules);
    expected = opaEvalPackage(file, PKG);
    const policy = await WasmPolicy.load(
      buildWasm(
        file,
        CASES.map((_, i) => `${PKG}/c${i}`),
      ),
      (name, [fmtAddr, argsAddr], dump) => {
        if (name !== 'sprintf') throw new Error(`unexpected builtin ${name}`);
        const format = parseRegoValue(dump(fmtAddr!));
        const args = parseRegoValue(dump(argsAddr!));
        if (format.t !== 'string' || args.t !== 'array') throw new Error('bad sprintf operands');
        dumps[current] = dump(argsAddr!);
        return goSprintf(format.v, args.items);
      },
    );
    CASES.forEach((_, i) => {
      current = `c${i}`;
      const resultSet = policy.evaluate(`${PKG}/c${i}`) as { result: unknown }[];
      viaWasm[`c${i}`] = resultSet[0]?.result;
    });
  }, 120_000);

  it('has a broad table', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(Object.keys(expected)).toHaveLength(CASES.length);
  });

  it.each(CASES.map(([f, a], i) => [i, f, a] as const))(
    'c%i: sprintf(%j, [%s])',
    (i, format, args) => {
      expect(typeof expected[`c${i}`]).toBe('string');
      // The wasm path: arguments as the module dumps them (hash order, literal number text).
      expect({ dump: dumps[`c${i}`], out: viaWasm[`c${i}`] }).toEqual({
        dump: dumps[`c${i}`],
        out: expected[`c${i}`],
      });
      // The same arguments in source order must print identically (sorting is ours to do).
      const literal = parseRegoValue(`[${args}]`) as Extract<RegoValue, { t: 'array' }>;
      expect(goSprintf(format, literal.items)).toBe(expected[`c${i}`]);
    },
  );
});

// Rounding is where a port of Go's float formatting goes wrong, so beyond the table: a fixed,
// seeded set of numbers of every magnitude, each printed with many verbs, checked against OPA.
const NUMBER_VERBS =
  '%v|%e|%.3e|%.0e|%E|%f|%.2f|%.0f|%12.4f|%-9.1f|%g|%.3g|%.10g|%.17g|%#.4g|%G|%x|%.2X|%b|%+08.3f|% .2e|%d|%s';

function seededNumbers(count: number): string[] {
  // mulberry32: small, seeded, and good enough to spread cases.
  let seed = 20240601;
  const next = (n: number): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const digits = String(next(1e9)).slice(0, 1 + next(9));
    const sign = next(4) === 0 ? '-' : '';
    switch (next(4)) {
      case 0: // an integer, often beyond int64
        out.push(sign + digits + '0'.repeat(next(3) === 0 ? next(15) : 0));
        break;
      case 1: // a short decimal, the kind that sits on rounding ties
        out.push(`${sign}${next(1000)}.${String(next(1000)).padStart(3, '0')}5`);
        break;
      default: // scientific notation across the float64 range
        out.push(`${sign}${digits.charAt(0)}.${digits.slice(1) || '0'}e${next(600) - 300}`);
    }
  }
  return out;
}

describe('goSprintf parity with OPA sprintf on generated numbers', () => {
  const numbers = seededNumbers(150);
  const verbCount = NUMBER_VERBS.split('|').length;
  let expected: Record<string, unknown>;

  beforeAll(() => {
    requireOpa();
    const rules = numbers.map(
      (n, i) =>
        `n${i} := sprintf(${JSON.stringify(NUMBER_VERBS)}, [${Array(verbCount).fill(n).join(', ')}])`,
    );
    expected = opaEvalPackage(writePolicy('sprintf_numbers', rules), 'sprintf_numbers');
  }, 60_000);

  it.each(numbers.map((n, i) => [i, n] as const))('n%i: %s', (i, n) => {
    const args = Array<RegoValue>(verbCount).fill({ t: 'number', text: n });
    expect(goSprintf(NUMBER_VERBS, args)).toBe(expected[`n${i}`]);
  });
});

afterAll(removePolicies);
