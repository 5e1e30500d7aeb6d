// palisade verify on suites written for it (test/fixtures/gatekeeper/suites), with the real opa
// and the real engine: passing and failing cases, a template that does not compile (exit 2),
// JSON, the --run filter, a suite's inventory reaching data.inventory, and one compile per run.
import { join } from 'node:path';
import { palisade, ROOT } from './cli-run';

const SUITES = join(ROOT, 'test/fixtures/gatekeeper/suites');
const rel = (p: string) => join('test/fixtures/gatekeeper/suites', p);

it('passes every case of the passing suites (nested, paths relative to each suite): exit 0', async () => {
  const run = await palisade(['verify', rel('passing')]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(
    new RegExp(
      [
        `^ok\\t${rel('passing/nested/unique-ingress-host/suite.yaml')}\\t\\d+\\.\\d{3}s`,
        `ok\\t${rel('passing/required-labels/suite.yaml')}\\t\\d+\\.\\d{3}s`,
        'PASS',
        '7 passed, 0 failed, 1 skipped',
        '$',
      ].join('\\n'),
    ),
  );
});

it("fails the cases whose assertions do not hold, with gator's reasons: exit 1", async () => {
  const run = await palisade(['verify', rel('failing/suite.yaml')]);
  expect(run.code).toBe(1);
  const lines = run.stdout
    .split('\n')
    .map((l) => l.replace(/\t\(\d+\.\d{3}s\)$|\t\d+\.\d{3}s$/, ''));
  expect(lines).toEqual([
    '    --- FAIL: expects-a-violation-that-is-not-there',
    '        unexpected number of violations: got 0 violations but want at least 1: got messages []',
    '    --- FAIL: expects-two-violations',
    '        unexpected number of violations: got 1 violations but want exactly 2: got messages [you must provide labels: {"owner"}]',
    '--- FAIL: required-labels-expectations',
    `FAIL\t${rel('failing/suite.yaml')}`,
    'FAIL',
    '1 passed, 2 failed',
    '',
  ]);
});

it("a template with a Rego error fails its test with opa's error and line, the others run: exit 2, JSON", async () => {
  const run = await palisade(['verify', `${rel('')}/...`, '--format', 'json']);
  expect(run.code).toBe(2);
  const out = JSON.parse(run.stdout);
  const bySuite = Object.fromEntries(
    out.suites.map((s: { path: string; tests: unknown[] }) => [
      s.path.slice(rel('').length + 1),
      s.tests,
    ]),
  );
  expect(bySuite['bad-template/suite.yaml']).toEqual([
    {
      name: 'broken-template',
      error: expect.stringMatching(
        /^adding template: spec\.targets\[0\]\.rego:\d+(:\d+)?: rego_\w+_error: /,
      ),
      cases: [
        {
          name: 'never-runs',
          passed: false,
          reason: expect.stringMatching(/^not run: adding template: /),
        },
      ],
    },
  ]);
  expect(bySuite['passing/nested/unique-ingress-host/suite.yaml']).toEqual([
    {
      name: 'ingress-hosts-are-unique',
      cases: [
        { name: 'host-free', passed: true, reason: null },
        { name: 'host-taken-in-another-namespace', passed: true, reason: null },
        { name: 'only-itself-and-other-hosts', passed: true, reason: null },
        { name: 'no-namespace-is-not-default', passed: true, reason: null },
      ],
    },
  ]);
  expect(out).toMatchObject({ passed: 8, failed: 3, skipped: 1 });
});

it("compiles the run's templates once, in one opa build, however many tests use them", async () => {
  // required-labels' template is used by two suites and three tests.
  const run = await palisade(['verify', SUITES, '-v']);
  const builds = run.stderr.split('\n').filter((l) => l.startsWith('opa build'));
  expect(builds).toHaveLength(1);
});

it('--run selects tests and cases by name as gator does (TEST//CASE: an empty TEST matches every test)', async () => {
  const run = await palisade(['verify', rel('passing'), '--run', '//host-taken', '-v']);
  expect(run.code).toBe(0);
  const runs = run.stdout.split('\n').filter((l) => l.includes('=== RUN'));
  expect(runs).toEqual([
    '=== RUN   ingress-hosts-are-unique',
    '    === RUN   host-taken-in-another-namespace',
    '=== RUN   namespaces-need-an-owner',
    '=== RUN   parameters-must-match-the-schema',
  ]);
  expect(run.stdout).toContain('1 passed, 0 failed, 7 skipped');
});

it("a case's inventory is what makes the referential template deny (and only that case's)", async () => {
  // host-taken-in-another-namespace passes only if its inventory reached data.inventory, and
  // only-itself-and-other-hosts (run after it, same host as that inventory) only if it did not
  // stay: each case gets its own inventory.
  const run = await palisade(['verify', rel('passing/nested'), '--format', 'json']);
  const cases = JSON.parse(run.stdout).suites[0].tests[0].cases;
  expect(cases.map((c: { passed: boolean }) => c.passed)).toEqual([true, true, true, true]);
});

it('says what is wrong with the command line: exit 2', async () => {
  expect((await palisade(['verify'])).code).toBe(2);
  const none = await palisade(['verify', rel('passing/required-labels/samples')]);
  expect(none.code).toBe(2);
  expect(none.stderr).toContain('no Suite (test.gatekeeper.sh/v1alpha1) found in');
  const format = await palisade(['verify', rel('passing'), '--format', 'xml']);
  expect(format.code).toBe(2);
  expect(format.stderr).toContain('--format must be one of text, json (got "xml")');
});
