// The pod-spec cache's case of the bench (src/policy/pod-spec-cache.ts): a Deployment rollout as
// the apiserver sends it to a validating webhook — the Deployment CREATE, the ReplicaSet CREATE
// its controller makes (template labels + pod-template-hash, ownerReferences, the controller's
// user), then one CREATE per Pod (generateName and a generated name, ownerReferences, and what the
// apiserver's built-in mutating admission adds: DefaultTolerationSeconds' tolerations, priority
// and, unless the template sets automountServiceAccountToken: false, a projected
// kube-api-access-<random> volume with a mount in every container). Each sequence runs
// in-process through handleAdmission on a real snapshot, workers 0 (so the time is the
// evaluation's), with the cache (cold at the start of each sequence: a new snapshot object) and
// without (podSpecCache.maxEntries 0), on the same instance, A/B and B/A in alternate rounds.
// Three sequences: the bench Deployment as bench/inputs.ts writes it (token volume), the same
// with automountServiceAccountToken: false, and the same Deployment review repeated (the contrast).
//
// Alone: `npm run -s build:bench && node dist/bench/rollout.js [rounds]` (default 30; the bundle
// dist/bundle, or ROLLOUT_BUNDLE). bench/run.ts: `rolloutLines(await runRollout({ bundleDir }))`.
import { cpus, loadavg } from 'node:os';
import { handleAdmission } from '../src/admission/handler';
import type { AdmissionReviewRequest, KubeObject } from '../src/admission/types';
import { validateConfig } from '../src/config/load';
import { loadBundle } from '../src/policy/bundle';
import { InlineEvaluator } from '../src/policy/engine';
import { podSpecCache } from '../src/policy/pod-spec-cache';
import { resolvePolicies } from '../src/policy/policy-set';
import type { PolicySnapshot } from '../src/policy/snapshot';
import { resolveKind } from '../src/policy/source/kinds';
import { manifestRequest } from '../src/policy/source/manifest-request';
import { deploymentReview } from './inputs';

export interface RolloutCase {
  name: string;
  requests: number;
  /** Median µs per sequence, without and with the cache. */
  withoutMicros: number;
  withMicros: number;
  /** withoutMicros / withMicros. */
  ratio: number;
  /** Cache lookups per sequence (one per group of policies reading the same fields). */
  hits: number;
  misses: number;
}

export interface RolloutResult {
  rounds: number;
  loadavg: number[];
  cores: number;
  cases: RolloutCase[];
}

const PODS = 10;
// Rounds not counted: the JIT compiles the cache's code and the policies' paths meanwhile.
const WARM_UP = 10;

/** Runs every sequence `rounds` times with and without the cache, A/B alternating. */
export async function runRollout(opts: {
  bundleDir: string;
  rounds?: number;
}): Promise<RolloutResult> {
  const rounds = opts.rounds ?? 30;
  const bundle = await loadBundle(opts.bundleDir);
  const evaluator = new InlineEvaluator(bundle, { maxMemoryBytes: 64 << 20 });
  const snapshotOf = (maxEntries: number) => {
    const config = validateConfig('bench', {
      bundle: opts.bundleDir,
      evaluation: { workers: 0, podSpecCache: { maxEntries } },
    });
    const { policies } = resolvePolicies(bundle.policies, config);
    return { config, policies, evaluator };
  };
  const on = snapshotOf(1000);
  const off = snapshotOf(0);
  const sequences: [string, AdmissionReviewRequest[]][] = [
    ['rollout (token volume)', rollout(true)],
    ['rollout (automountServiceAccountToken: false)', rollout(false)],
    ['same Deployment x12', Array.from({ length: PODS + 2 }, () => deploymentReview())],
  ];
  const cases: RolloutCase[] = [];
  try {
    for (const [name, reviews] of sequences) {
      const without: number[] = [];
      const withCache: number[] = [];
      let hits = 0;
      let misses = 0;
      for (let r = 0; r < rounds + WARM_UP; r++) {
        const fresh: PolicySnapshot = { ...on }; // a new snapshot object: a cold cache
        // A then B on even rounds, B then A on odd ones: neither always runs after the other.
        let a = 0;
        let b = 0;
        if (r % 2 === 0) a = await timeSequence(reviews, () => off);
        b = await timeSequence(reviews, () => fresh);
        if (r % 2 === 1) a = await timeSequence(reviews, () => off);
        if (r < WARM_UP) continue;
        without.push(a);
        withCache.push(b);
        const cache = podSpecCache(fresh)!;
        hits = cache.hits;
        misses = cache.misses;
      }
      const w = median(without);
      const c = median(withCache);
      cases.push({
        name,
        requests: reviews.length,
        withoutMicros: Math.round(w),
        withMicros: Math.round(c),
        ratio: Math.round((w / c) * 100) / 100,
        hits,
        misses,
      });
    }
  } finally {
    await evaluator.close();
  }
  return {
    rounds,
    loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
    cores: cpus().length,
    cases,
  };
}

async function timeSequence(
  reviews: readonly AdmissionReviewRequest[],
  snapshot: () => PolicySnapshot,
): Promise<number> {
  const start = process.hrtime.bigint();
  for (const review of reviews) {
    const d = await handleAdmission(review, snapshot());
    if (d.outcome !== 'allow') throw new Error(`rollout: ${review.request.kind.kind} ${d.outcome}`);
  }
  return Number(process.hrtime.bigint() - start) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The rollout's requests: Deployment, ReplicaSet, PODS Pods, as the apiserver sends them. */
export function rollout(tokenVolume: boolean): AdmissionReviewRequest[] {
  const dep = structuredClone(deploymentReview().request.object) as KubeObject & {
    metadata: Record<string, unknown>;
    spec: { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
  };
  if (!tokenVolume) dep.spec.template.spec.automountServiceAccountToken = false;
  const hash = '7d9f8c6b5';
  const labels = { ...dep.spec.template.metadata.labels, 'pod-template-hash': hash };
  const rsName = `checkout-${hash}`;
  const rs = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: rsName,
      namespace: 'shop',
      labels,
      annotations: { 'deployment.kubernetes.io/revision': '1' },
      ownerReferences: [owner('apps/v1', 'Deployment', 'checkout', 'd0000000')],
    },
    spec: {
      replicas: 3,
      selector: {
        matchLabels: { 'app.kubernetes.io/name': 'checkout', 'pod-template-hash': hash },
      },
      template: { metadata: { labels }, spec: structuredClone(dep.spec.template.spec) },
    },
  };
  const controller = 'system:serviceaccount:kube-system:';
  return [
    review(dep, 'system:serviceaccount:ci:deployer', 0),
    review(rs, `${controller}deployment-controller`, 1),
    ...Array.from({ length: PODS }, (_, i) =>
      review(
        pod(dep.spec.template.spec, labels, rsName, i, tokenVolume),
        `${controller}replicaset-controller`,
        i + 2,
      ),
    ),
  ];
}

type PodSpec = Record<string, unknown> & { containers: Record<string, unknown>[] };

function pod(
  template: PodSpec,
  labels: Record<string, string>,
  rsName: string,
  i: number,
  tokenVolume: boolean,
): KubeObject {
  const spec = structuredClone(template);
  const suffix = (n: number) => (n * 7919 + 12345).toString(36).slice(-5);
  if (tokenVolume) {
    const volume = `kube-api-access-${suffix(i + 100)}`;
    spec.volumes = [
      ...((spec.volumes as unknown[]) ?? []),
      {
        name: volume,
        projected: {
          defaultMode: 420,
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            {
              downwardAPI: {
                items: [
                  {
                    path: 'namespace',
                    fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' },
                  },
                ],
              },
            },
          ],
        },
      },
    ];
    for (const c of spec.containers) {
      c.volumeMounts = [
        ...((c.volumeMounts as unknown[]) ?? []),
        {
          name: volume,
          readOnly: true,
          mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
        },
      ];
    }
  }
  spec.tolerations = ['not-ready', 'unreachable'].map((t) => ({
    key: `node.kubernetes.io/${t}`,
    operator: 'Exists',
    effect: 'NoExecute',
    tolerationSeconds: 300,
  }));
  spec.priority = 0;
  spec.enableServiceLinks = true;
  spec.preemptionPolicy = 'PreemptLowerPriority';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${rsName}-${suffix(i)}`,
      generateName: `${rsName}-`,
      namespace: 'shop',
      labels,
      ownerReferences: [owner('apps/v1', 'ReplicaSet', rsName, 'r0000000')],
    },
    spec,
  };
}

function owner(apiVersion: string, kind: string, name: string, uid: string) {
  return { apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true };
}

function review(object: KubeObject, username: string, i: number): AdmissionReviewRequest {
  const kind = resolveKind(String(object.apiVersion), String(object.kind), new Map());
  const request = manifestRequest(object, kind, {
    operation: 'CREATE',
    username,
    groups: ['system:serviceaccounts'],
    uid: `rollout-${kind.kind}-${i}`,
  });
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request };
}

/** One line per case, for the bench's output. */
export function rolloutLines(r: RolloutResult): string[] {
  return [
    `pod-spec cache, in-process, workers 0, median of ${r.rounds} A/B rounds (load ${r.loadavg.join(' ')}, ${r.cores} cores):`,
    ...r.cases.map(
      (c) =>
        `  ${c.name} (${c.requests} requests): ${c.withoutMicros} µs without, ${c.withMicros} µs with the cache: ${c.ratio}x (${c.hits} hits, ${c.misses} misses per sequence)`,
    ),
  ];
}

if (require.main === module) {
  const bundleDir = process.env.ROLLOUT_BUNDLE ?? 'dist/bundle';
  runRollout({ bundleDir, rounds: Number(process.argv[2] ?? 30) })
    .then((r) => console.log(rolloutLines(r).join('\n')))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
