// The synchronous worker evaluator (workers: 0) on real bundles: the same violations as the
// inline evaluator on every example, data.inventory applied, a runaway evaluation answered by
// the deadline and the next one served by a fresh worker, inputs and replies larger than the
// shared buffer, evaluation errors with their code, and close().
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../src/config/load';
import { Deadline } from '../../src/deadline';
import { compileTemplates } from '../../src/gatekeeper/compile';
import { parseConstraint } from '../../src/gatekeeper/constraint';
import { Inventory } from '../../src/gatekeeper/inventory';
import { constraintPolicies } from '../../src/gatekeeper/policies';
import { parseTemplate } from '../../src/gatekeeper/template';
import { loadBundle, type Bundle } from '../../src/policy/bundle';
import { Opa, pinnedOpaPath } from '../../src/policy/build/opa';
import { InlineEvaluator, serializeInput } from '../../src/policy/engine';
import { resolvePolicies } from '../../src/policy/policy-set';
import type { KubeObject } from '../../src/policy/request';
import { findPolicyFolders } from '../../src/policy/source/discover';
import { exampleRequest, policyExamples } from '../../src/policy/source/examples';
import { resolveKind } from '../../src/policy/source/kinds';
import { manifestRequest } from '../../src/policy/source/manifest-request';
import { parseDocuments } from '../../src/policy/source/yaml';
import { SyncWorkerEvaluator } from '../../src/policy/sync-worker-evaluator';
import { container, pod, review } from '../fixtures/reviews';
import { BUNDLE } from './harness';
import { buildSlowBundle } from './slow-policy';

const ROOT = join(__dirname, '..', '..');

const LIMITS = { maxMemoryBytes: 64 << 20 };
const open: SyncWorkerEvaluator[] = [];
const make = (bundle: Bundle, limits = LIMITS, bufferBytes?: number) => {
  const ev = new SyncWorkerEvaluator(bundle, limits, bufferBytes);
  open.push(ev);
  return ev;
};
afterAll(() => Promise.all(open.map((ev) => ev.close())));

/** A deadline far enough that only a runaway reaches it. */
const inTime = () => new Deadline(60_000).signal;

let bundle: Bundle;
beforeAll(async () => {
  bundle = await loadBundle(BUNDLE);
});

/** Every built-in policy's examples, each evaluated with its own policy only. */
function exampleInputs(): { file: string; input: ArrayBuffer }[] {
  const ids = findPolicyFolders('policies');
  return ids.flatMap((id) =>
    policyExamples('policies', id).map((ex) => {
      const config = validateConfig('examples', {
        bundle: BUNDLE,
        policies: {
          [ex.policy]: { action: 'deny', ...(ex.parameters ? { parameters: ex.parameters } : {}) },
        },
      });
      const { policies } = resolvePolicies(bundle.policies, config);
      const only = policies.filter((p) => p.id === ex.policy);
      const request = exampleRequest(ex, '00000000-0000-0000-0000-000000000000');
      return { file: ex.file, input: serializeInput(request, only) };
    }),
  );
}

it('finds the same violations as the inline evaluator on every example', async () => {
  const inline = new InlineEvaluator(bundle, LIMITS);
  const ev = make(bundle);
  const inputs = exampleInputs();
  expect(inputs.length).toBeGreaterThan(20);
  let denied = 0;
  for (const { file, input } of inputs) {
    const want = await inline.evaluate(input);
    const got = await ev.evaluate(input, inTime());
    expect({ file, got }).toEqual({ file, got: want });
    if (want.length > 0) denied++;
  }
  expect(denied).toBeGreaterThan(0);
});

it('grows its buffer for a large input and takes a reply larger than the buffer', async () => {
  const { policies } = resolvePolicies(bundle.policies, validateConfig('t', { bundle: BUNDLE }));
  // 300 privileged containers without limits: an input of some 40 KiB and many violations.
  const containers = Array.from({ length: 300 }, (_, i) =>
    container({ name: `c${i}`, privileged: true, image: 'nginx', limits: null }),
  );
  const input = serializeInput(review(pod('many', containers)).request, policies);
  const ev = make(bundle, LIMITS, 1024);
  expect(input.byteLength).toBeGreaterThan(4 * 1024);
  const want = await new InlineEvaluator(bundle, LIMITS).evaluate(input);
  expect(JSON.stringify(want).length).toBeGreaterThan(1024);
  expect(await ev.evaluate(input, inTime())).toEqual(want);
  // And a small one after it, on the grown buffer.
  const small = serializeInput(
    review(pod('one', [container({ privileged: true })])).request,
    policies,
  );
  expect(await ev.evaluate(small, inTime())).toEqual(
    await new InlineEvaluator(bundle, LIMITS).evaluate(small),
  );
});

it('passes an evaluation error back with its code, then serves the next one', async () => {
  const { policies } = resolvePolicies(bundle.policies, validateConfig('t', { bundle: BUNDLE }));
  const only = policies.filter((x) => x.id === 'disallow-privileged');
  const p = pod('big');
  p.metadata!.annotations = { blob: 'x'.repeat(4 << 20) };
  const ev = make(bundle, { maxMemoryBytes: 2 << 20 });
  await expect(
    ev.evaluate(serializeInput(review(p).request, only), inTime()),
  ).rejects.toMatchObject({ code: 'PAL_ERR_WASM_MEMORY' });
  const bad = serializeInput(review(pod('x', [container({ privileged: true })])).request, only);
  expect((await ev.evaluate(bad, inTime())).map((v) => v.policy)).toEqual(['disallow-privileged']);
});

it('close() stops the worker: a later evaluation is refused', async () => {
  const ev = new SyncWorkerEvaluator(bundle, LIMITS);
  const input = serializeInput(review(pod('x')).request, []);
  await ev.evaluate(input, inTime());
  await ev.close();
  await expect(ev.evaluate(input, inTime())).rejects.toMatchObject({ code: 'PAL_ERR_INTERNAL' });
});

describe('a runaway evaluation', () => {
  const work = mkdtempSync(join(tmpdir(), 'palisade-sync-deadline-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  // Quadratic in its input (deadline.test.ts): 20,000 items are seconds of wasm time.
  const configMap = (items: number) =>
    review({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'big', namespace: 'default' },
      data: { items: Array.from({ length: items }, (_, i) => i) },
    });

  it('is answered by PAL_ERR_DEADLINE and the next evaluation is served', async () => {
    await buildSlowBundle(work);
    const slow = await loadBundle(join(work, 'bundle'));
    const config = validateConfig('t', {
      bundle: join(work, 'bundle'),
      policies: { 'slow-pairs': { action: 'deny' } },
    });
    const only = resolvePolicies(slow.policies, config).policies.filter(
      (p) => p.id === 'slow-pairs',
    );
    const ev = make(slow);
    const runaway = serializeInput(configMap(20_000).request, only);
    await expect(ev.evaluate(runaway, new Deadline(300).signal)).rejects.toMatchObject({
      code: 'PAL_ERR_DEADLINE',
      message: 'policy evaluation exceeded its deadline of 300 ms',
    });
    // A fresh worker serves the next request (it waits for the worker to start).
    const dup = serializeInput(
      {
        ...configMap(3).request,
        object: { ...configMap(3).request.object, data: { items: [1, 1] } },
      },
      only,
    );
    expect((await ev.evaluate(dup, inTime())).map((v) => v.msg)).toEqual(['duplicate items']);
  });
});

describe('data.inventory', () => {
  const DIR = join(ROOT, 'test/fixtures/gatekeeper/suites/passing/nested/unique-ingress-host');
  const docs = (file: string) =>
    parseDocuments(file, readFileSync(join(DIR, file), 'utf8')).documents.map((d) => d.object);
  const inventoryOf = (objects: unknown[]) => {
    const inv = new Inventory({ maxObjects: 100_000, strip: true });
    for (const o of objects) inv.put(o as KubeObject);
    return inv.toJSON();
  };
  const TAKEN = 'ingress host shop.example.com is already used by ingress other/shop-copy';

  it('is applied before the next evaluation, and replaced by the next inventory', async () => {
    const template = parseTemplate(docs('template.yaml')[0], 'template.yaml');
    const constraint = parseConstraint(
      docs('samples/constraint.yaml')[0],
      new Map([[template.kind, template]]),
      'constraint.yaml',
    );
    const bundleDir = join(mkdtempSync(join(tmpdir(), 'palisade-sync-inventory-')), 'bundle');
    const out = await compileTemplates({
      opa: new Opa(pinnedOpaPath()),
      templates: [template],
      outDir: bundleDir,
    });
    expect(out.errors.size).toBe(0);
    const gk = await loadBundle(bundleDir);
    const shop = docs('samples/ingress-shop.yaml')[0] as KubeObject;
    const kind = resolveKind('networking.k8s.io/v1', 'Ingress', new Map());
    const request = manifestRequest(shop, kind, { operation: 'CREATE', username: 'u', groups: [] });
    const input = serializeInput(request, constraintPolicies([constraint]));
    const ev = make(gk);
    expect(await ev.evaluate(input, inTime())).toEqual([]);
    await ev.setInventory(inventoryOf(docs('samples/inventory-same-host.yaml')));
    expect((await ev.evaluate(input, inTime())).map((v) => v.msg)).toEqual([TAKEN]);
    await ev.setInventory(inventoryOf(docs('samples/inventory-other-hosts.yaml')));
    expect(await ev.evaluate(input, inTime())).toEqual([]);
  });
});
