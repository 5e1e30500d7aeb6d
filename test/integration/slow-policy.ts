// The runaway policy the deadline tests share (deadline.test.ts, sync-worker-evaluator.test.ts).
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
