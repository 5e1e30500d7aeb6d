// The pod-spec cache's key and bound (src/policy/pod-spec-cache.ts): what changes the key (a
// parameter, a field the record says is read, the kind, a new snapshot), what does not (a field
// no cached policy reads), which requests and policies are never looked up, and the LRU bounds.
import type { Config } from '../../../src/config/schema';
import type { Evaluator } from '../../../src/policy/engine';
import {
  keepEvaluated,
  planCached,
  podSpecCache,
  PodSpecCache,
} from '../../../src/policy/pod-spec-cache';
import type { PodSpecCacheRecord } from '../../../src/policy/policy-meta';
import type { EffectivePolicy } from '../../../src/policy/policy-set';
import type { AdmissionRequest } from '../../../src/policy/request';
import type { PolicySnapshot } from '../../../src/policy/snapshot';
import type { Violation } from '../../../src/policy/violation';

function policy(
  id: string,
  podSpecCache: PodSpecCacheRecord | undefined,
  parameters: Record<string, unknown> = {},
  extra: Partial<EffectivePolicy> = {},
): EffectivePolicy {
  return {
    id,
    meta: { id, title: id, action: 'deny', match: {}, ...(podSpecCache ? { podSpecCache } : {}) },
    action: 'deny',
    parameters,
    match: {},
    ...extra,
  };
}

const SPEC_ONLY = { request: ['kind.kind', 'operation'], template: ['spec'] };
const WITH_META = { request: ['kind.kind', 'operation'], template: ['metadata', 'spec'] };

function deploymentRequest(opts: { image?: string; labels?: Record<string, string> } = {}) {
  return {
    uid: 'u',
    kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
    resource: { group: 'apps', version: 'v1', resource: 'deployments' },
    operation: 'CREATE',
    namespace: 'shop',
    userInfo: { username: 'someone' },
    oldObject: null,
    object: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api', namespace: 'shop' },
      spec: {
        template: {
          metadata: { labels: opts.labels ?? { app: 'api' } },
          spec: { containers: [{ name: 'app', image: opts.image ?? 'a:1' }] },
        },
      },
    },
  } as unknown as AdmissionRequest;
}

const violation = (policy: string): Violation => ({
  policy,
  msg: `${policy} says no`,
  path: 'spec.template.spec',
  fix: '',
  details: { n: 1 },
});

/** Plans, "evaluates" (the given violations for the planned policies) and keeps the result. */
function run(cache: PodSpecCache, req: AdmissionRequest, policies: EffectivePolicy[]) {
  const plan = planCached(cache, req, policies);
  if (plan)
    keepEvaluated(
      cache,
      plan,
      plan.evaluate.map((p) => violation(p.id)),
    );
  return plan;
}

describe('the key', () => {
  const limits = { maxEntries: 100, maxBytes: 1 << 20 };

  it('a repeated request is served; the other policies are still evaluated', () => {
    const cache = new PodSpecCache(limits);
    const policies = [policy('cached', SPEC_ONLY), policy('live', undefined)];
    expect(run(cache, deploymentRequest(), policies)!.evaluate.map((p) => p.id)).toEqual([
      'cached',
      'live',
    ]);
    const plan = run(cache, deploymentRequest(), policies)!;
    expect(plan.evaluate.map((p) => p.id)).toEqual(['live']);
    expect(plan.served).toEqual([violation('cached')]);
    expect([cache.hits, cache.misses]).toEqual([1, 1]);
  });

  it('a changed parameter is a miss', () => {
    const cache = new PodSpecCache(limits);
    run(cache, deploymentRequest(), [policy('p', SPEC_ONLY, { tags: ['latest'] })]);
    const plan = planCached(cache, deploymentRequest(), [
      policy('p', SPEC_ONLY, { tags: ['latest', 'dev'] }),
    ])!;
    expect(plan.served).toEqual([]);
    expect(plan.evaluate.map((p) => p.id)).toEqual(['p']);
  });

  it('a changed field the policy reads is a miss; one it does not read is a hit', () => {
    const cache = new PodSpecCache(limits);
    const meta = policy('reads-metadata', WITH_META);
    const spec = policy('reads-spec', SPEC_ONLY);
    run(cache, deploymentRequest(), [meta, spec]);
    const plan = planCached(cache, deploymentRequest({ labels: { app: 'other' } }), [meta, spec])!;
    expect(plan.evaluate.map((p) => p.id)).toEqual(['reads-metadata']);
    expect(plan.served.map((v) => v.policy)).toEqual(['reads-spec']);
    const image = planCached(cache, deploymentRequest({ image: 'a:2' }), [meta, spec])!;
    expect(image.evaluate.map((p) => p.id)).toEqual(['reads-metadata', 'reads-spec']);
  });

  it('another kind is a miss, even with the template at the same path', () => {
    const cache = new PodSpecCache(limits);
    const p = policy('p', SPEC_ONLY);
    run(cache, deploymentRequest(), [p]);
    const rs = deploymentRequest();
    rs.kind = { group: 'apps', version: 'v1', kind: 'ReplicaSet' };
    expect(planCached(cache, rs, [p])!.served).toEqual([]);
  });

  it('a request field the record reads (subResource) is in the key', () => {
    const cache = new PodSpecCache(limits);
    const p = policy('p', { request: ['kind.kind', 'operation', 'subResource'], template: [] });
    run(cache, deploymentRequest(), [p]);
    const sub = { ...deploymentRequest(), subResource: 'status' } as AdmissionRequest;
    expect(planCached(cache, sub, [p])!.served).toEqual([]);
    expect(planCached(cache, deploymentRequest(), [p])!.served).toEqual([violation('p')]);
  });

  it('UPDATE, DELETE, kinds without a pod template, constraints and old bundles are not looked up', () => {
    const cache = new PodSpecCache(limits);
    const p = policy('p', SPEC_ONLY);
    const update = { ...deploymentRequest(), operation: 'UPDATE' } as AdmissionRequest;
    const withOld = { ...deploymentRequest(), oldObject: {} } as AdmissionRequest;
    const del = { ...deploymentRequest(), operation: 'DELETE', object: null } as AdmissionRequest;
    const service = deploymentRequest();
    service.kind = { group: '', version: 'v1', kind: 'Service' };
    for (const req of [update, withOld, del, service]) {
      expect(planCached(cache, req, [p])).toBeUndefined();
    }
    const constraint = policy('c', SPEC_ONLY, {}, {
      constraint: { template: 't', kind: 'K', name: 'c', match: {} },
    } as Partial<EffectivePolicy>);
    const unrecorded = policy('old', undefined);
    const malformed = policy('bad', { request: 'kind', template: ['spec'] } as never);
    expect(
      planCached(cache, deploymentRequest(), [constraint, unrecorded, malformed]),
    ).toBeUndefined();
    expect(cache.misses).toBe(0);
  });

  it('a Pod with its own service-account token volume is not looked up; a template with one is', () => {
    const cache = new PodSpecCache(limits);
    const p = [policy('p', SPEC_ONLY)];
    const token = { name: 'kube-api-access-x7k2p', projected: { sources: [] } };
    const pod = {
      ...deploymentRequest(),
      kind: { group: '', version: 'v1', kind: 'Pod' },
      object: { kind: 'Pod', metadata: { name: 'a' }, spec: { containers: [], volumes: [token] } },
    } as unknown as AdmissionRequest;
    expect(planCached(cache, pod, p)).toBeUndefined();
    const own = structuredClone(pod);
    (own.object as { spec: { volumes: unknown[] } }).spec.volumes = [
      { name: 'kube-api-access-x', emptyDir: {} },
    ];
    expect(planCached(cache, own, p)).toBeDefined();
    const dep = deploymentRequest();
    (
      dep.object as { spec: { template: { spec: Record<string, unknown> } } }
    ).spec.template.spec.volumes = [token];
    expect(planCached(cache, dep, p)).toBeDefined();
  });

  it('a new snapshot is a new, empty cache; maxEntries 0 is none', () => {
    const evaluator = {} as Evaluator;
    const config = (maxEntries: number) =>
      ({ evaluation: { podSpecCache: { maxEntries, maxBytes: 1 << 20 } } }) as unknown as Config;
    const a: PolicySnapshot = { config: config(10), policies: [], evaluator };
    const b: PolicySnapshot = { ...a };
    expect(podSpecCache(a)).toBe(podSpecCache(a));
    expect(podSpecCache(b)).not.toBe(podSpecCache(a));
    run(podSpecCache(a)!, deploymentRequest(), [policy('p', SPEC_ONLY)]);
    expect(podSpecCache(a)!.size).toBe(1);
    expect(podSpecCache(b)!.size).toBe(0);
    expect(podSpecCache({ ...a, config: config(0) })).toBeUndefined();
  });
});

describe('the bound', () => {
  const requests = (n: number) =>
    Array.from({ length: n }, (_, i) => deploymentRequest({ image: `a:${i}` }));

  it('keeps at most maxEntries, dropping the least recently used', () => {
    const cache = new PodSpecCache({ maxEntries: 2, maxBytes: 1 << 20 });
    const p = [policy('p', SPEC_ONLY)];
    const [r0, r1, r2] = requests(3);
    run(cache, r0!, p);
    run(cache, r1!, p);
    run(cache, r0!, p); // r0 is now the most recently used
    run(cache, r2!, p); // drops r1
    expect(cache.size).toBe(2);
    expect(planCached(cache, r0!, p)!.served).toHaveLength(1);
    expect(planCached(cache, r1!, p)!.served).toHaveLength(0);
    expect(planCached(cache, r2!, p)!.served).toHaveLength(1);
  });

  it('keeps at most maxBytes, counting each shared text once', () => {
    const p = [policy('p', SPEC_ONLY), policy('q', { ...SPEC_ONLY, request: ['kind.kind'] })];
    const one = new PodSpecCache({ maxEntries: 100, maxBytes: 1 << 20 });
    run(one, requests(1)[0]!, p);
    const first = one.byteSize;
    const all = requests(10);
    const cache = new PodSpecCache({ maxEntries: 100, maxBytes: first * 3 });
    for (const r of all) run(cache, r, p);
    expect(cache.byteSize).toBeLessThanOrEqual(first * 3);
    // Two groups share each template's text: more than 3 entries fit, not all 20.
    expect(cache.size).toBeGreaterThan(3);
    expect(cache.size).toBeLessThan(20);
    expect(planCached(cache, all[9]!, p)!.served).toHaveLength(2);
    expect(planCached(cache, all[0]!, p)!.served).toHaveLength(0);
  });

  it('does not keep an entry larger than maxBytes', () => {
    const cache = new PodSpecCache({ maxEntries: 100, maxBytes: 64 });
    run(cache, deploymentRequest(), [policy('p', SPEC_ONLY)]);
    expect([cache.size, cache.byteSize]).toEqual([0, 0]);
  });

  it('serves violations nobody can change', () => {
    const cache = new PodSpecCache({ maxEntries: 10, maxBytes: 1 << 20 });
    const p = [policy('p', SPEC_ONLY)];
    run(cache, deploymentRequest(), p);
    const [v] = planCached(cache, deploymentRequest(), p)!.served;
    expect(Object.isFrozen(v)).toBe(true);
    expect(Object.isFrozen(v!.details)).toBe(true);
  });
});
