// The runaway policy the deadline tests share (deadline.test.ts, sync-worker-evaluator.test.ts).
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBundle } from '../../src/policy/build/build-bundle';
import { Opa, pinnedOpaPath } from '../../src/policy/build/opa';
import { ROOT } from '../support/root';
// A policy whose cost is quadratic in its input and needs almost no memory: a ConfigMap with
// 20,000 items means 400 million comparisons, seconds of wasm time.
export const SLOW_POLICY = `package policies.slow_pairs

violation contains {"msg": "duplicate items"} if {
\tcount([1 | some a in input.review.object.data.items; some b in input.review.object.data.items; a == b]) > count(input.review.object.data.items)
}
`;
export const SLOW_META = `id: slow-pairs
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

/** The built-in policies plus slow-pairs, built into `work`/bundle with the pinned opa. */
export async function buildSlowBundle(work: string): Promise<string> {
  cpSync(join(ROOT, 'policies'), join(work, 'policies'), { recursive: true });
  mkdirSync(join(work, 'policies', 'slow-pairs'));
  writeFileSync(join(work, 'policies', 'slow-pairs', 'policy.rego'), SLOW_POLICY);
  writeFileSync(join(work, 'policies', 'slow-pairs', 'policy.yaml'), SLOW_META);
  await buildBundle({
    policiesDir: join(work, 'policies'),
    outDir: join(work, 'bundle'),
    opa: new Opa(pinnedOpaPath()),
  });
  return join(work, 'bundle');
}
