// palisade verify's semantics without opa: gator's assertions, the text and JSON outputs, the
// exit codes and the --run filter.
import { formatJson, formatText } from '../../../src/gatekeeper/verify-format';
import { parseVerifyFilter } from '../../../src/gatekeeper/verify-filter';
import {
  checkAssertion,
  checkAssertions,
  totals,
  verifyExitCode,
  type SuiteResult,
} from '../../../src/gatekeeper/verify-result';
import type { Assertion } from '../../../src/gatekeeper/suite';

describe('assertions (gator semantics)', () => {
  const msgs = ['container web has no limits', 'container db has no limits', 'image is latest'];
  it.each<[Assertion, readonly string[], string | undefined]>([
    [{ violations: 'yes' }, msgs, undefined],
    [
      { violations: 'yes' },
      [],
      'unexpected number of violations: got 0 violations but want at least 1: got messages []',
    ],
    [{ violations: 'no' }, [], undefined],
    [
      { violations: 'no' },
      msgs,
      'unexpected number of violations: got 3 violations but want none: got messages [container web has no limits container db has no limits image is latest]',
    ],
    [{ violations: 0 }, [], undefined],
    [{ violations: 3 }, msgs, undefined],
    [
      { violations: 2 },
      msgs,
      'unexpected number of violations: got 3 violations but want exactly 2: got messages [container web has no limits container db has no limits image is latest]',
    ],
    // The message regex filters what is counted.
    [{ violations: 2, message: 'no limits' }, msgs, undefined],
    [{ violations: 1, message: '^image' }, msgs, undefined],
    [{ violations: 'no', message: 'privileged' }, msgs, undefined],
    [
      { violations: 'yes', message: 'privileged' },
      msgs,
      'unexpected number of violations: got 0 violations containing "privileged" but want at least 1: got messages [container web has no limits container db has no limits image is latest]',
    ],
    [
      { violations: 'no', message: 'web' },
      msgs,
      'unexpected number of violations: got 1 violations containing "web" but want none: got messages [container web has no limits container db has no limits image is latest]',
    ],
    [
      { violations: 1, message: 'limits' },
      msgs,
      'unexpected number of violations: got 2 violations containing "limits" but want exactly 1: got messages [container web has no limits container db has no limits image is latest]',
    ],
  ])('%j on %j → %s', (a, m, want) => {
    expect(checkAssertion(a, m)).toBe(want);
  });

  it('a case passes only when every assertion holds; the first that does not is the reason', () => {
    const all: Assertion[] = [
      { violations: 'yes' },
      { violations: 1, message: 'x' },
      { violations: 'no' },
    ];
    expect(checkAssertions(all, ['x'])).toBe(
      'unexpected number of violations: got 1 violations but want none: got messages [x]',
    );
    expect(checkAssertions(all.slice(0, 2), ['x'])).toBeUndefined();
  });
});

const ok = (name: string) => ({ name, skipped: false, passed: true, ms: 1 });
const bad = (name: string, reason: string) => ({
  name,
  skipped: false,
  passed: false,
  reason,
  ms: 2,
});
const skipped = (name: string) => ({ name, skipped: true, passed: true, ms: 0 });

const passing: SuiteResult = {
  path: 'lib/a/suite.yaml',
  skipped: false,
  ms: 12,
  tests: [{ name: 'a', skipped: false, ms: 10, cases: [ok('allowed'), skipped('later')] }],
};
const failing: SuiteResult = {
  path: 'lib/b/suite.yaml',
  skipped: false,
  ms: 1500,
  tests: [
    {
      name: 'b',
      skipped: false,
      ms: 1400,
      cases: [ok('allowed'), bad('disallowed', 'got 0 violations')],
    },
  ],
};
const broken: SuiteResult = {
  path: 'lib/c/suite.yaml',
  skipped: false,
  ms: 3,
  tests: [
    {
      name: 'c',
      skipped: false,
      error: 'adding template: rego.rego:3: parse error',
      broken: true,
      ms: 3,
      cases: [bad('x', 'not run: adding template: rego.rego:3: parse error')],
    },
  ],
};
const unreadable: SuiteResult = {
  path: 'lib/d/suite.yaml',
  skipped: false,
  error: 'tests: must be a list',
  tests: [],
  ms: 0,
};

describe('exit codes and totals', () => {
  it.each([
    [[passing], 0],
    [[passing, failing], 1],
    [[passing, failing, broken], 2],
    [[unreadable], 2],
  ])('%#: exit %d', (results, code) => {
    expect(verifyExitCode(results as SuiteResult[])).toBe(code);
  });

  it('counts cases: passed, failed (including those of a test that could not run), skipped', () => {
    expect(totals([passing, failing, broken])).toEqual({
      passed: 2,
      failed: 2,
      skipped: 1,
      broken: true,
    });
  });

  it('an `invalid` test whose constraint was accepted is a failure (1), not breakage (2)', () => {
    const invalid: SuiteResult = {
      ...passing,
      tests: [
        { name: 'inv', skipped: false, ms: 1, error: 'the constraint was accepted', cases: [] },
      ],
    };
    expect(verifyExitCode([invalid])).toBe(1);
    expect(totals([invalid]).failed).toBe(1);
  });
});

describe('text output (gator verify layout, then the count)', () => {
  it('prints failures with their reasons, ok for passing suites, FAIL at the end', () => {
    expect(formatText([passing, failing, broken, unreadable], { verbose: false })).toBe(
      [
        'ok\tlib/a/suite.yaml\t0.012s',
        '    --- FAIL: disallowed\t(0.002s)',
        '        got 0 violations',
        '--- FAIL: b\t(1.400s)',
        'FAIL\tlib/b/suite.yaml\t1.500s',
        '--- FAIL: c\t(0.003s)',
        '  adding template: rego.rego:3: parse error',
        'FAIL\tlib/c/suite.yaml\t0.003s',
        'FAIL\tlib/d/suite.yaml\t0.000s',
        '  tests: must be a list',
        'FAIL',
        '2 passed, 2 failed, 1 skipped',
        '',
      ].join('\n'),
    );
  });

  it('with -v prints RUN, PASS and SKIP lines, and PASS at the end when all passed', () => {
    expect(formatText([passing], { verbose: true })).toBe(
      [
        '=== RUN   a',
        '    === RUN   allowed',
        '    --- PASS: allowed\t(0.001s)',
        '    === SKIP  later',
        '--- PASS: a\t(0.010s)',
        'ok\tlib/a/suite.yaml\t0.012s',
        'PASS',
        '1 passed, 0 failed, 1 skipped',
        '',
      ].join('\n'),
    );
  });
});

describe('JSON output', () => {
  it('has suites → tests → cases with passed and reason (null when passed), errors where they apply', () => {
    expect(JSON.parse(formatJson([failing, broken]))).toEqual({
      suites: [
        {
          path: 'lib/b/suite.yaml',
          tests: [
            {
              name: 'b',
              cases: [
                { name: 'allowed', passed: true, reason: null },
                { name: 'disallowed', passed: false, reason: 'got 0 violations' },
              ],
            },
          ],
        },
        {
          path: 'lib/c/suite.yaml',
          tests: [
            {
              name: 'c',
              error: 'adding template: rego.rego:3: parse error',
              cases: [
                {
                  name: 'x',
                  passed: false,
                  reason: 'not run: adding template: rego.rego:3: parse error',
                },
              ],
            },
          ],
        },
      ],
      passed: 1,
      failed: 2,
      skipped: 0,
    });
  });
});

describe('--run filter (gator semantics)', () => {
  const t = {
    name: 'require-foo-label',
    cases: [{ name: 'missing-label' }, { name: 'ok' }],
  } as never;
  it.each([
    ['', true, [true, true]],
    ['require-foo', true, [true, true]],
    ['missing', true, [true, false]],
    ['^nothing$', false, [false, false]],
    ['^require-foo-label$//', true, [true, true]],
    ['//^ok$', true, [false, true]],
    ['other//ok', false, [false, false]],
  ])('%j: test %s, cases %j', (run, test, cases) => {
    const f = parseVerifyFilter(run);
    expect(f.matchesTest(t)).toBe(test);
    expect(['missing-label', 'ok'].map((c) => f.matchesCase('require-foo-label', c))).toEqual(
      cases,
    );
  });

  it('refuses two // and a bad expression', () => {
    expect(() => parseVerifyFilter('a//b//c')).toThrow('at most one "//"');
    expect(() => parseVerifyFilter('(')).toThrow('--run: invalid regular expression "("');
  });
});
