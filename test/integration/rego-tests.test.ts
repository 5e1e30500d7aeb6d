// The Rego side of palisade test (src/policy/build/rego-tests.ts) on a small policy folder: the
// examples become opa tests that fail on a wrong expectation, and opa check and opa fmt stop the
// run naming the file; `palisade test --rego` runs this step only.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { run } from '../../src/cli/main';
import { PolicyBuildError } from '../../src/policy/build/build-error';
import { validPolicies } from '../../src/policy/build/build-bundle';
import { examplesTestModule } from '../../src/policy/build/examples-test';
import { Opa, pinnedOpaPath } from '../../src/policy/build/opa';
import { runRegoTests } from '../../src/policy/build/rego-tests';

const ROOT = join(__dirname, '..', '..');
const opa = new Opa(pinnedOpaPath());
let work: string;
let dir: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'palisade-rego-tests-'));
  dir = join(work, 'policies');
  for (const f of ['lib', 'disallow-privileged', 'capabilities.json']) {
    cpSync(join(ROOT, 'policies', f), join(dir, f), { recursive: true });
  }
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

async function regoTests() {
  const examples = examplesTestModule(dir, validPolicies(dir));
  return runRegoTests(opa, dir, examples.rego, join(dir, 'capabilities.json'));
}

const failed = (r: Awaited<ReturnType<typeof regoTests>>) =>
  r.results.filter((t) => t.fail || t.error).map((t) => `${t.package}.${t.name}`);

it('runs the unit tests and the examples, all passing', async () => {
  const r = await regoTests();
  expect(failed(r)).toEqual([]);
  const examples = r.results.filter((t) => t.location?.file === r.examplesFile);
  expect(examples.map((t) => t.name)).toContain(
    'test_example_disallow_privileged_denied_pod_privileged',
  );
  expect(r.results.length).toBeGreaterThan(examples.length);
});

it('fails the example test of a wrong expectation, printing what it got', async () => {
  const expected = join(dir, 'disallow-privileged/examples/denied/pod-privileged.expected.json');
  writeFileSync(expected, readFileSync(expected, 'utf8').replace('must not set', 'MUST NOT set'));
  const r = await regoTests();
  expect(failed(r)).toEqual([
    'data.palisade_examples_test.test_example_disallow_privileged_denied_pod_privileged',
  ]);
  const output = Buffer.from(r.results.find((t) => t.fail)!.output!, 'base64').toString();
  expect(output).toContain('pod-privileged.yaml: got');
});

it.each([
  [
    'opa check failed',
    (rego: string) => `${rego}\n_now := time.now_ns()\n`,
    /disallow-privileged\/policy\.rego:\d+: rego_type_error: undefined function time\.now_ns/,
  ],
  [
    'not formatted as opa fmt would',
    (rego: string) => rego.replace(/\t/g, '    '),
    /disallow-privileged\/policy\.rego$/,
  ],
])('stops on "%s", naming the file', async (summary, edit, problem) => {
  const file = join(dir, 'disallow-privileged', 'policy.rego');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  const thrown = await regoTests().catch((err: unknown) => err);
  expect(thrown).toBeInstanceOf(PolicyBuildError);
  expect((thrown as PolicyBuildError).summary).toContain(summary);
  expect((thrown as PolicyBuildError).problems.some((p) => problem.test(p))).toBe(true);
});

it('palisade test --rego runs the Rego tests only', async () => {
  let out = '';
  const io = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: () => true },
    stdin: Readable.from(['']),
    env: {},
  };
  expect(await run(['test', '--rego', dir], io)).toBe(0);
  expect(out).toContain(`opa test ${dir}\n`);
  expect(out).not.toContain('examples through the engine');
  expect(out.trimEnd().split('\n').at(-1)).toMatch(/^\d+ passed, 0 failed$/);
});
