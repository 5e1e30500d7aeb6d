// The evaluation deadline: a runaway evaluation is abandoned, the request is answered by the
// failure mode, and the worker that ran it is replaced so the next request is served normally.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { review } from '../fixtures/reviews';
import { startHarness, type Harness } from './harness';

const ROOT = join(__dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'palisade-deadline-'));
let h: Harness;

// A policy whose cost is quadratic in its input and needs almost no memory: a ConfigMap with
// 20,000 items means 400 million comparisons, seconds of wasm time.
const SLOW_POLICY = `package policies.slow_pairs

violation contains {"msg": "duplicate items"} if {
\tcount([1 | some a in input.review.object.data.items; some b in input.review.object.data.items; a == b]) > count(input.review.object.data.items)
}
`;
const SLOW_META = `id: slow-pairs
title: Quadratic test policy
description: Compares every pair of items; used to test the evaluation deadline.
severity: low
action: deny
match:
  kinds: [ConfigMap]
  operations: [CREATE]
parameters:
  type: object
  properties: {}
docs: https://example.com/slow-pairs
`;

beforeAll(async () => {
  cpSync(join(ROOT, 'policies'), join(work, 'policies'), { recursive: true });
  mkdirSync(join(work, 'policies', 'slow-pairs'));
  writeFileSync(join(work, 'policies', 'slow-pairs', 'policy.rego'), SLOW_POLICY);
  writeFileSync(join(work, 'policies', 'slow-pairs', 'policy.yaml'), SLOW_META);
  execFileSync(
    'bash',
    ['scripts/build-policies.sh', join(work, 'policies'), join(work, 'bundle')],
    {
      cwd: ROOT,
      stdio: 'ignore',
    },
  );
  h = await startHarness({
    bundle: join(work, 'bundle'),
    failureMode: 'closed',
    evaluation: { deadlineMs: 300, workers: 1 },
    policies: { 'slow-pairs': { action: 'deny' } },
  });
});
afterAll(async () => {
  await h?.close();
  rmSync(work, { recursive: true, force: true });
});

function configMap(items: number) {
  const data = { items: Array.from({ length: items }, (_, i) => i) };
  return review({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'big', namespace: 'default' },
    data,
  });
}

it('abandons a runaway evaluation and answers by the failure mode', async () => {
  const r = configMap(20_000);
  const body = (await h.post(r)).json();
  expect(body.response.uid).toBe(r.request.uid);
  expect(body.response.allowed).toBe(false);
  expect(body.response.status.message).toBe(
    'Palisade could not evaluate policies and failed closed: policy evaluation exceeded its deadline of 300 ms',
  );
  const metrics = await h.deps.metrics.registry.metrics();
  expect(metrics).toMatch(/palisade_errors_total\{code="PAL_ERR_DEADLINE"\} 1/);
});

it('serves the next request on a fresh worker', async () => {
  const r = configMap(10);
  expect((await h.post(r)).json().response).toEqual({ uid: r.request.uid, allowed: true });
});
