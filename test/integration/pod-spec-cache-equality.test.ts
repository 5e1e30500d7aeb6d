// The pod-spec cache (src/policy/pod-spec-cache.ts) never changes a decision: on the real bundle,
// every policy example (policies/*/examples) and the test fixtures, each pod template also re-sent
// as every other pod kind, decide exactly as with the cache off — cold, warm (the same request
// again: served from the cache) and after another kind's entries. A fast-check property changes
// one field of a template after its entry is warm: the decision is still the uncached one.
import fc from 'fast-check';
import { handleAdmission, type Decision } from '../../src/admission/handler';
import type { AdmissionReviewRequest, KubeObject } from '../../src/admission/types';
import { validateConfig } from '../../src/config/load';
import { loadBundle, type Bundle } from '../../src/policy/bundle';
import { InlineEvaluator } from '../../src/policy/engine';
import { podSpecCache } from '../../src/policy/pod-spec-cache';
import { PolicyRuntime } from '../../src/policy/policy-runtime';
import { resolvePolicies } from '../../src/policy/policy-set';
import type { PolicySnapshot } from '../../src/policy/snapshot';
import { findPolicyFolders } from '../../src/policy/source/discover';
import { exampleRequest, policyExamples, type Example } from '../../src/policy/source/examples';
import { builtinKind, resolveKind } from '../../src/policy/source/kinds';
import { manifestRequest } from '../../src/policy/source/manifest-request';
import { container, deployment, pod } from '../fixtures/reviews';
import { BUNDLE } from './harness';

const POLICIES = 'policies';
/** The kinds every template is re-sent as (the pod library's; PodTemplate has no pods run). */
const KINDS = ['Pod', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];

let bundle: Bundle;
let evaluator: InlineEvaluator;
beforeAll(async () => {
  bundle = await loadBundle(BUNDLE);
  evaluator = new InlineEvaluator(bundle, { maxMemoryBytes: 64 << 20 });
});

/** Two snapshots of one config and evaluator: the cache off, and on (a new, cold cache). */
function snapshots(policies: Record<string, unknown> = {}): {
  off: PolicySnapshot;
  on: PolicySnapshot;
} {
  const make = (maxEntries: number): PolicySnapshot => {
    const config = validateConfig('cache-equality', {
      bundle: BUNDLE,
      policies,
      evaluation: { podSpecCache: { maxEntries } },
    });
    return { config, policies: resolvePolicies(bundle.policies, config).policies, evaluator };
  };
  return { off: make(0), on: make(1000) };
}

const wrap = (request: AdmissionReviewRequest['request']): AdmissionReviewRequest => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request,
});

/** The object's pod template (metadata + spec), from the kinds table; undefined if none. */
function templateOf(obj: KubeObject): Record<string, unknown> | undefined {
  const path = builtinKind(String(obj.kind))?.podTemplate;
  let t: unknown = obj;
  for (const k of path ?? []) t = (t as Record<string, unknown> | undefined)?.[k];
  return path && t && typeof t === 'object' ? (t as Record<string, unknown>) : undefined;
}

/** The manifest of `kind` carrying `template`, named and placed as `source`. */
function asKind(kind: string, template: Record<string, unknown>, source: KubeObject): KubeObject {
  const info = builtinKind(kind)!;
  const meta = source.metadata as Record<string, unknown> | undefined;
  const metadata: Record<string, unknown> = { name: meta?.name ?? 'wrapped' };
  if (meta?.namespace) metadata.namespace = meta.namespace;
  if (meta?.labels) metadata.labels = meta.labels;
  const apiVersion = info.group ? `${info.group}/${info.version}` : info.version;
  if (kind === 'Pod') {
    const tm = (template.metadata ?? {}) as Record<string, unknown>;
    return {
      apiVersion,
      kind,
      metadata: { ...tm, ...metadata },
      spec: template.spec,
    } as KubeObject;
  }
  const object: Record<string, unknown> = { apiVersion, kind, metadata };
  let at = object;
  const path = info.podTemplate!;
  path.forEach((k, i) => {
    if (i === path.length - 1) at[k] = structuredClone(template);
    else at = (at[k] = { ...(k === 'spec' && i === 0 ? selectorOf(kind) : {}) }) as typeof at;
  });
  return object as KubeObject;
}

function selectorOf(kind: string): Record<string, unknown> {
  return ['Job', 'CronJob'].includes(kind) ? {} : { selector: { matchLabels: { app: 'x' } } };
}

function request(object: KubeObject, operation = 'CREATE' as const): AdmissionReviewRequest {
  const kind = resolveKind(String(object.apiVersion), String(object.kind), new Map());
  return wrap(
    manifestRequest(object, kind, {
      operation,
      username: 'cache-equality',
      groups: [],
      uid: '00000000-0000-0000-0000-000000000000',
    }),
  );
}

/** The request re-sent as every pod kind, when its object has a pod template. */
function asEveryKind(review: AdmissionReviewRequest): AdmissionReviewRequest[] {
  const obj = review.request.object;
  const template = obj && review.request.operation === 'CREATE' ? templateOf(obj) : undefined;
  if (!template) return [review];
  return [
    review,
    ...KINDS.filter((k) => k !== obj!.kind).map((k) => request(asKind(k, template, obj!))),
  ];
}

const decisionText = (d: Decision) => JSON.stringify(d);

/**
 * Decides every request with the cache off, then on the cache snapshot: cold (in order, so each
 * later kind also meets the earlier kinds' entries) and warm again; all must equal. Returns the
 * cache's hits, so a caller can show the cache served something.
 */
async function expectSameDecisions(
  reviews: AdmissionReviewRequest[],
  snaps = snapshots(),
): Promise<number> {
  const want = await Promise.all(reviews.map((r) => handleAdmission(r, snaps.off)));
  for (const pass of ['cold', 'warm']) {
    for (const [i, r] of reviews.entries()) {
      const got = await handleAdmission(r, snaps.on);
      const label = `${pass} ${r.request.kind.kind} ${r.request.operation}`;
      expect([label, decisionText(got)]).toEqual([label, decisionText(want[i]!)]);
    }
  }
  return podSpecCache(snaps.on)!.hits;
}

describe('every policy example, as every pod kind', () => {
  const examples: Example[] = findPolicyFolders(POLICIES).flatMap((id) =>
    policyExamples(POLICIES, id),
  );
  let hits = 0;
  afterAll(() => expect(hits).toBeGreaterThan(0));

  it.each(examples.filter((e) => e.object).map((e) => [e.file, e] as const))(
    '%s',
    async (_file, ex) => {
      const snaps = snapshots({
        [ex.policy]: { action: 'deny', ...(ex.parameters ? { parameters: ex.parameters } : {}) },
      });
      const reviews = asEveryKind(wrap(exampleRequest(ex, '00000000-0000-0000-0000-000000000000')));
      hits += await expectSameDecisions(reviews, snaps);
    },
  );
});

describe('the whole corpus through one cache', () => {
  it('decides every example and fixture, as every pod kind, as without the cache', async () => {
    // One snapshot for all: each request meets the entries of every template before it.
    const examples = findPolicyFolders(POLICIES)
      .flatMap((id) => policyExamples(POLICIES, id))
      .filter((e) => e.object);
    const reviews = [
      ...examples.flatMap((ex) => asEveryKind(wrap(exampleRequest(ex)))),
      ...[pod('web'), deployment('api')].flatMap((o) => asEveryKind(request(o))),
    ];
    expect(await expectSameDecisions(reviews)).toBeGreaterThan(reviews.length / 2);
  });
});

describe('the fixtures, as every pod kind', () => {
  const fixtures: [string, KubeObject][] = [
    ['pod', pod('web')],
    ['privileged pod', pod('web', [container({ privileged: true, image: 'nginx' })])],
    ['deployment', deployment('api')],
    [
      'deployment, two containers',
      deployment('api', [
        container({ limits: null }),
        container({ name: 'side', image: 'a:latest' }),
      ]),
    ],
  ];
  it.each(fixtures)('%s', async (_name, object) => {
    const hits = await expectSameDecisions(asEveryKind(request(object)));
    expect(hits).toBeGreaterThan(0);
  });

  it('an UPDATE and a DELETE are decided as without the cache, and not looked up', async () => {
    const obj = deployment('api', [container({ privileged: true })]);
    const update = request(obj);
    update.request.operation = 'UPDATE';
    update.request.oldObject = structuredClone(obj);
    const del = request(obj);
    del.request.operation = 'DELETE';
    del.request.oldObject = del.request.object;
    del.request.object = null;
    const snaps = snapshots();
    expect(await expectSameDecisions([update, del], snaps)).toBe(0);
    expect(podSpecCache(snaps.on)!.misses).toBe(0);
  });
});

describe('when the cache serves every applicable policy', () => {
  it('does not call the evaluator, and decides as the evaluation did', async () => {
    const off = Object.fromEntries(
      ['require-labels', 'disallow-default-namespace', 'restrict-sa-token-automount'].map((id) => [
        id,
        { action: 'off' },
      ]),
    );
    const snaps = snapshots(off);
    let calls = 0;
    const counting: PolicySnapshot = {
      ...snaps.on,
      evaluator: {
        evaluate: (input, signal) => {
          calls++;
          return evaluator.evaluate(input, signal);
        },
        close: async () => {},
      },
    };
    const r = request(deployment('api', [container({ privileged: true, image: 'nginx' })]));
    const first = await handleAdmission(r, counting);
    const second = await handleAdmission(r, counting);
    expect(calls).toBe(1);
    expect(second.outcome).toBe('deny');
    expect(decisionText(second)).toBe(decisionText(first));
    expect(decisionText(second)).toBe(decisionText(await handleAdmission(r, snaps.off)));
  });
});

describe('a changed template after a warm entry', () => {
  const base = deployment('api', [
    container({ privileged: false }),
    container({ name: 'side', image: 'registry.example.com/side:2.0.0' }),
  ]);
  (base.spec as { template: { metadata: Record<string, unknown> } }).template.metadata.annotations =
    { 'container.apparmor.security.beta.kubernetes.io/app': 'runtime/default' };

  /** A path into the template and a value to put there (a field changed, added or replaced). */
  const paths: string[][] = [
    ['spec', 'hostNetwork'],
    ['spec', 'hostPID'],
    ['spec', 'securityContext'],
    ['spec', 'securityContext', 'runAsNonRoot'],
    ['spec', 'volumes'],
    ['spec', 'containers', '0', 'image'],
    ['spec', 'containers', '0', 'securityContext', 'privileged'],
    ['spec', 'containers', '1', 'securityContext'],
    ['spec', 'containers', '1', 'ports'],
    ['spec', 'containers', '0', 'resources', 'limits', 'cpu'],
    ['spec', 'initContainers'],
    ['spec', 'automountServiceAccountToken'],
    ['metadata', 'annotations', 'container.apparmor.security.beta.kubernetes.io/app'],
    ['metadata', 'annotations', 'seccomp.security.alpha.kubernetes.io/pod'],
    ['metadata', 'labels', 'app'],
  ];
  const values = fc.oneof(
    fc.boolean(),
    fc.constantFrom(
      'unconfined',
      'nginx:latest',
      'localhost/x',
      { privileged: true },
      { hostPath: { path: '/' } },
      [{ name: 'h', hostPath: { path: '/etc' } }],
      [{ name: 'i', image: 'busybox', securityContext: { privileged: true } }],
      [{ containerPort: 80, hostPort: 80 }],
      { runAsNonRoot: false },
      null,
    ),
    fc.integer({ min: -1, max: 3 }),
  );

  function mutate(obj: KubeObject, path: string[], value: unknown): KubeObject {
    const out = structuredClone(obj);
    let at = (out.spec as { template: Record<string, unknown> }).template;
    for (const k of path.slice(0, -1)) {
      const next = at[k];
      at = (at[k] = next && typeof next === 'object' ? next : {}) as Record<string, unknown>;
    }
    at[path[path.length - 1]!] = value;
    return out;
  }

  it('is never answered from the old entry (fast-check)', async () => {
    const snaps = snapshots();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        values,
        fc.constantFrom(...KINDS),
        async (path, value, kind) => {
          const template = templateOf(mutate(base, path, value))!;
          const original = request(asKind(kind, templateOf(base)!, base));
          const changed = request(asKind(kind, template, base));
          await handleAdmission(original, snaps.on); // warm the original's entries
          const want = await handleAdmission(changed, snaps.off);
          const got = await handleAdmission(changed, snaps.on);
          expect(decisionText(got)).toBe(decisionText(want));
        },
      ),
      { numRuns: 150, seed: 16 },
    );
    expect(podSpecCache(snaps.on)!.hits).toBeGreaterThan(0);
  });
});

describe('with worker threads (the PolicyRuntime of evaluation.workers 1)', () => {
  it('decides a rollout as the inline evaluator without the cache, and serves its Pods', async () => {
    const config = validateConfig('cache-workers', {
      bundle: BUNDLE,
      evaluation: { workers: 1 },
    });
    const runtime = await PolicyRuntime.start(config);
    try {
      const snaps = snapshots();
      const template = templateOf(deployment('api', [container({ image: 'nginx:latest' })]))!;
      const reviews = [
        request(asKind('Deployment', template, deployment('api'))),
        ...Array.from({ length: 3 }, () => request(asKind('Pod', template, pod('api')))),
      ];
      for (const r of reviews) {
        const got = await runtime.use((s) => handleAdmission(r, s));
        expect(decisionText(got)).toBe(decisionText(await handleAdmission(r, snaps.off)));
      }
      expect(podSpecCache(runtime.snapshot)!.hits).toBeGreaterThan(0);
    } finally {
      await runtime.close();
    }
  });
});

describe('a changed request field outside the template after a warm entry', () => {
  // The key holds what a policy reads outside the template (disallow-default-namespace: the
  // namespace and names; restrict-sa-token-automount: the namespace and the user): changing any
  // of them after the entry is warm must decide as without the cache.
  const base = deployment('api', [container({ privileged: false })]);
  (base.metadata as Record<string, unknown>).namespace = 'shop';
  type Review = AdmissionReviewRequest['request'];
  const edits: Record<string, (r: Review, v: string) => void> = {
    namespace: (r, v) => {
      r.namespace = v;
    },
    'object namespace': (r, v) => {
      (r.object!.metadata as Record<string, unknown>).namespace = v;
    },
    'both namespaces': (r, v) => {
      r.namespace = v;
      (r.object!.metadata as Record<string, unknown>).namespace = v;
    },
    name: (r, v) => {
      r.name = v;
    },
    'object name': (r, v) => {
      (r.object!.metadata as Record<string, unknown>).name = v;
    },
    'object generateName': (r, v) => {
      (r.object!.metadata as Record<string, unknown>).generateName = v;
    },
    username: (r, v) => {
      r.userInfo = { ...r.userInfo, username: v };
    },
    'object labels': (r, v) => {
      (r.object!.metadata as Record<string, unknown>).labels = { 'app.kubernetes.io/name': v };
    },
  };
  const values = fc.constantFrom(
    'default',
    'kube-system',
    'shop',
    '',
    'kubernetes',
    'system:serviceaccount:kube-system:service-account-controller',
  );

  it('is never answered from the old entry (fast-check)', async () => {
    const snaps = snapshots();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(edits)),
        values,
        fc.constantFrom(...KINDS),
        async (edit, value, kind) => {
          const original = request(asKind(kind, templateOf(base)!, base));
          const changed = structuredClone(original);
          edits[edit]!(changed.request, value);
          await handleAdmission(original, snaps.on); // warm the original's entries
          const want = await handleAdmission(changed, snaps.off);
          const got = await handleAdmission(changed, snaps.on);
          expect(decisionText(got)).toBe(decisionText(want));
        },
      ),
      { numRuns: 200, seed: 16 },
    );
    expect(podSpecCache(snaps.on)!.hits).toBeGreaterThan(0);
  });
});

describe('a policy whose key holds the Pod’s name', () => {
  it('is not looked up for a Pod (its generated name is its own), and decides as without', async () => {
    const only = ['disallow-default-namespace', 'pss-baseline-apparmor'];
    const off = Object.fromEntries(
      findPolicyFolders(POLICIES)
        .filter((id) => !only.includes(id))
        .map((id) => [id, { action: 'off' }]),
    );
    const snaps = snapshots(off);
    const p = pod('web', [container({ image: 'nginx:1.27' })]);
    (p.metadata as Record<string, unknown>).namespace = 'default';
    const r = request(p);
    expect(await expectSameDecisions([r], snaps)).toBe(0);
    expect(podSpecCache(snaps.on)!.misses).toBe(0);
    // The same template as a Deployment is looked up (and hits when sent again).
    const d = request(asKind('Deployment', templateOf(p)!, p));
    expect(await expectSameDecisions([d], snaps)).toBeGreaterThan(0);
  });
});
