// palisade eval --profile on the real engine (templates compiled by the real opa): each
// applicable policy timed alone, the table sorted by cost. The timings themselves are not
// asserted; the order rule is, on a policy made slow on purpose (a Rego loop over a
// 20,000-element parameter) beside cheap ones.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProfileReport } from '../../src/cli/profile';
import { palisade } from './cli-run';

const SLOW_TEMPLATE = `apiVersion: templates.gatekeeper.sh/v1beta1
kind: ConstraintTemplate
metadata: {name: k8sslowscan}
spec:
  crd:
    spec:
      names: {kind: K8sSlowScan}
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8sslowscan

        violation[{"msg": msg}] {
          hits := [x | x := input.parameters.names[_]; contains(x, input.review.object.metadata.name); endswith(x, "-match")]
          count(hits) > 0
          msg := sprintf("%d names match", [count(hits)])
        }
`;
const CHEAP_TEMPLATE = `apiVersion: templates.gatekeeper.sh/v1beta1
kind: ConstraintTemplate
metadata: {name: k8sneedsowner}
spec:
  crd:
    spec:
      names: {kind: K8sNeedsOwner}
  targets:
    - target: admission.k8s.gatekeeper.sh
      rego: |
        package k8sneedsowner

        violation[{"msg": "an owner label is needed"}] {
          not input.review.object.metadata.labels.owner
        }
`;
const names = Array.from({ length: 20_000 }, (_, i) => `name-${i}-nomatch`);
const CONSTRAINTS = `apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sSlowScan
metadata: {name: slow-scan}
spec:
  match: {kinds: [{apiGroups: [""], kinds: [Pod]}]}
  parameters: {names: ${JSON.stringify(names)}}
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sNeedsOwner
metadata: {name: pods-need-owner}
spec:
  match: {kinds: [{apiGroups: [""], kinds: [Pod]}]}
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sNeedsOwner
metadata: {name: deployments-need-owner}
spec:
  match: {kinds: [{apiGroups: [apps], kinds: [Deployment]}]}
`;
const PODS = ['web', 'api']
  .map(
    (n) => `apiVersion: v1
kind: Pod
metadata: {name: ${n}, namespace: shop, labels: {owner: team-a}}
spec:
  containers: [{name: app, image: nginx:1.27}]
`,
  )
  .join('---\n');

type Profile = ProfileReport;

let work: string;
const args = () => [
  'eval',
  '-f',
  join(work, 'templates.yaml'),
  '-f',
  join(work, 'constraints.yaml'),
  '-f',
  join(work, 'pods.yaml'),
];
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'palisade-profile-'));
  writeFileSync(join(work, 'templates.yaml'), `${SLOW_TEMPLATE}---\n${CHEAP_TEMPLATE}`);
  writeFileSync(join(work, 'constraints.yaml'), CONSTRAINTS);
  writeFileSync(join(work, 'pods.yaml'), PODS);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('--format json: each applicable policy timed alone, costliest first', async () => {
  const run = await palisade([...args(), '--profile', '--profile-runs', '5', '--format', 'json']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const p = JSON.parse(run.stdout) as Profile;
  expect(p.runs).toBe(5);
  expect(p.inputs).toBe(2);
  const ids = p.policies.map((x) => x.policy);
  expect(ids).toHaveLength(2);
  // The slow one first: its loop over 20,000 names costs far more than a label lookup.
  expect(ids[0]).toMatch(/slow-scan/);
  expect(ids[1]).toMatch(/pods-need-owner/);
  expect(p.notApplicable).toEqual([expect.stringMatching(/deployments-need-owner/)]);
  for (const x of p.policies) {
    expect(x.evaluations).toBe(10); // 2 inputs x 5 runs
    expect(x.inputs).toBe(2);
    expect(x.p50Us).toBeLessThanOrEqual(x.p95Us);
    expect(x.meanUs).toBeGreaterThan(0);
  }
  const totals = p.policies.map((x) => x.totalUs);
  expect([...totals].sort((a, b) => b - a)).toEqual(totals);
  expect(p.policies.reduce((a, x) => a + x.share, 0)).toBeCloseTo(1, 2);
});

it('prints a table: policy, evaluations, mean, p50, p95, share; sorted by share', async () => {
  const run = await palisade([...args(), '--profile', '--profile-runs', '3']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const lines = run.stdout.trimEnd().split('\n');
  expect(lines[0]!.split(/\s{2,}/)).toEqual([
    'POLICY',
    'EVALUATIONS',
    'MEAN µs',
    'P50 µs',
    'P95 µs',
    'SHARE',
  ]);
  const rows = lines.slice(1, 3).map((l) => l.split(/\s+/));
  expect(rows[0]![0]).toMatch(/slow-scan/);
  expect(rows.map((r) => r[1])).toEqual(['6', '6']);
  const shares = rows.map((r) => Number(r[5]!.replace('%', '')));
  expect(shares[0]).toBeGreaterThanOrEqual(shares[1]!);
  expect(lines[3]).toBe('');
  expect(lines[4]).toBe('2 policies timed on 2 input(s), 3 run(s) each, each policy alone');
  expect(lines[5]).toMatch(/^not applicable to any input: .*deployments-need-owner/);
});

it('refuses a bad --profile-runs, and --profile-runs without --profile', async () => {
  const zero = await palisade([...args(), '--profile', '--profile-runs', '0']);
  expect(zero.code).toBe(2);
  expect(zero.stderr).toContain('--profile-runs must be a whole number from 1 to 100000 (got "0")');
  const alone = await palisade([...args(), '--profile-runs', '3']);
  expect(alone.code).toBe(2);
  expect(alone.stderr).toContain('--profile-runs needs --profile');
  const sarif = await palisade([...args(), '--profile', '--format', 'sarif']);
  expect(sarif.code).toBe(2);
  expect(sarif.stderr).toContain('--profile prints one table to stdout: --format text or json');
});
