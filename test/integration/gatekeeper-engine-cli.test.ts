// palisade eval with ConstraintTemplates and constraints among its inputs (files or a directory):
// they compile with the real opa and the other documents are evaluated against the
// constraints, as gator test would; a CEL-only template or a Rego error is an input problem
// (exit 2) naming the template.
import { mkdtempSync, rmSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { palisade } from './cli-run';
import { FIXTURES } from './gatekeeper-engine-fixtures';

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'palisade-gk-cli-'));
  mkdirSync(join(work, 'policies'));
  for (const f of ['k8srequiredlabels.yaml', 'k8sdisallowedtags.yaml']) {
    copyFileSync(join(FIXTURES, f), join(work, 'policies', f));
  }
  writeFileSync(
    join(work, 'policies', 'constraints.yaml'),
    `apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sRequiredLabels
metadata: {name: must-have-owner}
spec:
  match: {kinds: [{apiGroups: [""], kinds: [Pod]}]}
  parameters: {labels: [owner]}
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sDisallowedTags
metadata: {name: no-latest}
spec:
  enforcementAction: warn
  parameters: {tags: [latest]}
`,
  );
  writeFileSync(
    join(work, 'pod.yaml'),
    `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  containers: [{name: app, image: nginx:latest}]
`,
  );
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('evaluates manifests against the constraints of a directory of templates and constraints', async () => {
  const run = await palisade([
    'eval',
    '-f',
    join(work, 'policies'),
    '-f',
    join(work, 'pod.yaml'),
    '--format',
    'json',
  ]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(1);
  const out = JSON.parse(run.stdout) as {
    results: { violations: { policy: string; action: string; message: string }[] }[];
  };
  const found = out.results.flatMap((r) => r.violations.map((v) => [v.policy, v.action]));
  expect(found.sort()).toEqual([
    ['K8sDisallowedTags/no-latest', 'warn'],
    ['K8sRequiredLabels/must-have-owner', 'deny'],
  ]);
});

it('prints the denial as kubectl would, with the constraint name', async () => {
  const run = await palisade(['eval', '-f', join(work, 'policies'), '-f', join(work, 'pod.yaml')]);
  expect(run.code).toBe(1);
  expect(run.stdout).toContain('[must-have-owner] you must provide labels: {"owner"}');
});

it('refuses a CEL-only template and a Rego error by name, evaluating nothing (exit 2)', async () => {
  const run = await palisade([
    'eval',
    '-f',
    join(FIXTURES, 'k8scelonly.yaml'),
    '-f',
    join(FIXTURES, 'k8sbrokenrego.yaml'),
    '-f',
    join(work, 'pod.yaml'),
  ]);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(
    'unsupported ConstraintTemplate k8scelonly: only CEL code (engine K8sNativeValidation) and no Rego',
  );
  const broken = await palisade([
    'eval',
    '-f',
    join(FIXTURES, 'k8sbrokenrego.yaml'),
    '-f',
    join(work, 'pod.yaml'),
  ]);
  expect(broken.code).toBe(2);
  expect(broken.stderr).toContain(
    'ConstraintTemplate k8sbrokenrego: spec.targets[0].rego:5:3: rego_unsafe_var_error: var undefined_name is unsafe',
  );
});

it('names the field of a constraint whose parameters break the template schema', async () => {
  const bad = join(work, 'bad-constraint.yaml');
  writeFileSync(
    bad,
    `apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sRequiredLabels
metadata: {name: wrong}
spec:
  parameters: {labels: owner}
`,
  );
  const run = await palisade([
    'eval',
    '-f',
    join(FIXTURES, 'k8srequiredlabels.yaml'),
    '-f',
    bad,
    '-f',
    join(work, 'pod.yaml'),
  ]);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(
    'constraint K8sRequiredLabels/wrong: spec.parameters.labels must be array',
  );
});
