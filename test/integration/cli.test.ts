// The built CLI end to end: bad input, explain, build and test. The policies' own examples,
// multi-document files, stdin, every format and namespace selectors: cli-examples.test.ts,
// cli-eval.test.ts and cli-namespace-selector.test.ts.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { palisade, ROOT } from './cli-run';

jest.setTimeout(120_000);

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'palisade-cli-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('palisade eval on bad input', () => {
  it('names every problem with file and line, evaluates nothing and exits 2', async () => {
    const bad = join(work, 'bad.yaml');
    writeFileSync(
      bad,
      'apiVersion: v1\nkind: Pod\nspec: [a,\n---\nfoo: 1\n---\napiVersion: apps/v1\nkind: Deploymnet\n',
    );
    const run = await palisade(['eval', '-f', bad, '-f', join(work, 'missing.yaml')]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('4 input problems, nothing evaluated:');
    expect(run.stderr).toMatch(new RegExp(`${bad}:4:1: invalid YAML: `));
    expect(run.stderr).toContain(`${bad}:5: not a Kubernetes object: apiVersion and kind missing`);
    expect(run.stderr).toContain(
      `${bad}:7: unknown kind Deploymnet in apps/v1; did you mean Deployment?`,
    );
    expect(run.stderr).toContain('missing.yaml: cannot read: ENOENT');
  });

  it('refuses a config naming a policy the bundle lacks', async () => {
    const config = join(work, 'bad-config.yaml');
    writeFileSync(config, 'policies:\n  no-such-policy: {action: deny}\n');
    const run = await palisade([
      'eval',
      '-f',
      'policies/disallow-privileged/examples',
      '--config',
      config,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('policies.no-such-policy: no such policy in the bundle');
  });
});

describe('palisade explain', () => {
  it('describes a policy from the bundle metadata with its examples', async () => {
    const run = await palisade(['explain', 'disallow-privileged']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('disallow-privileged: Disallow privileged containers');
    expect(run.stdout).toContain('Pod Security Standards  baseline (check privileged)');
    expect(run.stdout).toContain(
      'denied   policies/disallow-privileged/examples/denied/pod-privileged.yaml',
    );
  });

  it('exits 2 on an unknown policy, suggesting the near ones', async () => {
    const run = await palisade(['explain', 'privileged']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/did you mean [a-z-, ]*\bdisallow-privileged\b/);
  });
});

describe('palisade build and test', () => {
  let policies: string;
  beforeAll(() => {
    // The library and three policies: the examples of them all run through the engine once,
    // in policy-examples.test.ts; here `palisade test` needs only the one it breaks.
    policies = join(work, 'policies');
    const keep = ['disallow-latest-tag', 'disallow-privileged', 'require-resource-limits'];
    cpSync(join(ROOT, 'policies'), policies, {
      recursive: true,
      filter: (src) => {
        const top = relative(join(ROOT, 'policies'), src).split(sep)[0]!;
        return !existsSync(join(ROOT, 'policies', top, 'policy.yaml')) || keep.includes(top);
      },
    });
  });

  it('builds a bundle from policy folders', async () => {
    const out = join(work, 'bundle');
    const run = await palisade(['build', policies, '-o', out]);
    expect(run.code).toBe(0);
    expect(existsSync(join(out, 'policy.wasm'))).toBe(true);
    expect(
      JSON.parse(readFileSync(join(out, 'palisade.json'), 'utf8')).policies.length,
    ).toBeGreaterThan(2);
  });

  it('fails a build naming the file and line of a builtin the wasm cannot run', async () => {
    const broken = join(work, 'broken');
    cpSync(policies, broken, { recursive: true });
    const rego = join(broken, 'disallow-privileged', 'policy.rego');
    writeFileSync(rego, `${readFileSync(rego, 'utf8')}\nnow_ns := time.now_ns()\n`);
    const run = await palisade(['build', broken, '-o', join(work, 'broken-bundle')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /disallow-privileged\/policy\.rego:\d+: rego_type_error: undefined function time\.now_ns/,
    );
  });

  it('runs opa test and every example through the engine, failing on a wrong expectation', async () => {
    const expected = join(
      policies,
      'disallow-privileged',
      'examples',
      'denied',
      'pod-privileged.expected.json',
    );
    writeFileSync(expected, readFileSync(expected, 'utf8').replace('must not set', 'MUST NOT set'));
    const run = await palisade(['test', policies]);
    expect(run.code).toBe(1);
    // The generated Rego test and the engine check both catch it.
    expect(run.stdout).toContain('FAIL disallow-privileged denied');
    expect(run.stdout).toContain(
      'the webhook would answer: denied the request: 1 violation of 1 policy:',
    );
    expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(/^\d+ passed, 2 failed$/);
  });
});
