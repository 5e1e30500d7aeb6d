// The engine on the real compiled bundle: one serialization and one wasm evaluation per request,
// whatever the number of policies; parameters reach each policy; the memory cap holds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBundle, type Bundle } from '../../src/policy/bundle';
import { InlineEvaluator, serializeInput } from '../../src/policy/engine';
import { validateConfig } from '../../src/config/load';
import { resolvePolicies } from '../../src/policy/policy-set';
import { handleAdmission } from '../../src/admission/handler';
import { WasmPolicy } from '../../src/policy/wasm-runtime';
import { container, pod, review } from '../fixtures/reviews';
import { BUNDLE, otherPoliciesOff } from './harness';

let bundle: Bundle;
beforeAll(async () => {
  bundle = await loadBundle(BUNDLE);
});

it('evaluates every applicable policy in one wasm evaluation', async () => {
  const config = validateConfig('t', { bundle: BUNDLE, policies: otherPoliciesOff() });
  const { policies } = resolvePolicies(bundle.policies, config);
  const inner = new InlineEvaluator(bundle, { maxMemoryBytes: 64 << 20 });
  const calls: ArrayBuffer[] = [];
  const evaluator = {
    evaluate: (input: ArrayBuffer) => (calls.push(input), inner.evaluate(input)),
    close: async () => {},
  };
  const r = review(pod('web', [container({ privileged: true, image: 'nginx', limits: null })]));
  const d = await handleAdmission(r, { config, policies, evaluator });
  expect(calls).toHaveLength(1);
  expect(new Set(d.violations.map((v) => v.policy))).toEqual(
    new Set(['disallow-privileged', 'require-resource-limits', 'disallow-latest-tag']),
  );
  // The one input carries every applicable policy with its parameters.
  const input = JSON.parse(new TextDecoder().decode(calls[0]));
  expect(Object.keys(input.policies).sort()).toEqual([
    'disallow-latest-tag',
    'disallow-privileged',
    'require-resource-limits',
  ]);
  expect(input.review.uid).toBe(r.request.uid);
});

it('passes each policy its own parameters', async () => {
  const config = validateConfig('t', {
    bundle: BUNDLE,
    policies: { 'require-resource-limits': { parameters: { resources: ['memory'] } } },
  });
  const { policies } = resolvePolicies(bundle.policies, config);
  const ev = new InlineEvaluator(bundle, { maxMemoryBytes: 64 << 20 });
  const r = review(pod('web', [container({ limits: { cpu: '1' } })]));
  const found = await ev.evaluate(
    serializeInput(
      r.request,
      policies.filter((p) => p.id === 'require-resource-limits'),
    ),
  );
  expect(found.map((v) => v.msg)).toEqual([
    'resource limits (container "app" must set resources.limits.memory)',
  ]);
});

it('caps wasm memory at the configured maximum', () => {
  const wasm = WasmPolicy.instantiate(bundle.module, 'palisade/violations', {
    maxMemoryBytes: 2 << 20,
  });
  const p = pod('big');
  p.metadata!.annotations = { blob: 'x'.repeat(4 << 20) };
  // A policy that reads everything, so the blob is not left out of the input (input-fields.ts).
  const { policies } = resolvePolicies(bundle.policies, validateConfig('t', { bundle: BUNDLE }));
  const input = serializeInput(
    review(p).request,
    policies.filter((x) => x.id === 'disallow-privileged'),
  );
  expect(() => wasm.evaluate(input)).toThrow(
    expect.objectContaining({ code: 'PAL_ERR_WASM_MEMORY' }),
  );
  expect(wasm.memoryBytes).toBeLessThanOrEqual(2 << 20);
});

it('ships the bundle metadata of every built-in policy', () => {
  const manifest = JSON.parse(readFileSync(join(BUNDLE, 'palisade.json'), 'utf8'));
  expect(manifest.policies.map((p: { id: string }) => p.id).sort()).toEqual(
    [...bundle.policies.keys()].sort(),
  );
});
