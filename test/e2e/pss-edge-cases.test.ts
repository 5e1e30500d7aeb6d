// Hand-written Pod Security edge cases (test/e2e/pss/edge-cases.ts), each checked twice: the real
// apiserver's Pod Security Admission decides as the table says, and Palisade's PSS policies (at
// the same level and version, action deny) decide the same, for the same checks. Plus the two
// cases that need a Pod to exist first: adding an ephemeral container, and updating a Pod that
// no longer passes its namespace's level.
import { basename } from 'node:path';
import { findPolicyFolders } from '../../src/policy/source/discover';
import { policyExamples } from '../../src/policy/source/examples';
import type { KubeObject } from '../../src/admission/types';
import { disagreement, psaReasons } from './pss/compare';
import { EDGE_CASES, restrictedPod, type EdgeCase } from './pss/edge-cases';
import { startPsaCluster, type PsaCluster, type PsaOutcome } from './pss/psa-cluster';
import { loadPssEngine, type Level, type PssEngine } from './pss/pss-engine';

let engine: PssEngine;
let cluster: PsaCluster;

beforeAll(async () => {
  engine = await loadPssEngine();
  cluster = await startPsaCluster();
}, 1_800_000);

afterAll(async () => {
  await cluster?.close();
});

/** Palisade against PSA's answer; undefined when they agree. */
function compare(
  what: string,
  psa: PsaOutcome,
  level: Level,
  palisade: ReturnType<PssEngine['evaluate']>,
) {
  if (psa.kind === 'invalid') return `${what}: the apiserver refused it: ${psa.message}`;
  return disagreement({
    what,
    psaDenied: psa.kind === 'denied',
    psaReasons: psa.kind === 'denied' ? psaReasons(psa.message) : new Set(),
    palisade,
    reasons: true,
    level,
  });
}

const rows = EDGE_CASES.flatMap((c) =>
  Object.entries(c.expect).map(([lv, decision]) => [c.name, lv, decision, c] as const),
);

it.each(rows)('%s: %s %s', async (_name, lv, decision, c: EdgeCase) => {
  const [level, version] = lv.split(':') as [Level, string];
  const psa = await cluster.createPod(c.pod, await cluster.namespace(level, version));
  expect(psa.kind === 'invalid' ? psa.message : psa.kind).toBe(
    decision === 'allow' ? 'allowed' : 'denied',
  );
  // Palisade sees the Pod as the apiserver admitted it (defaults applied) and as written.
  const admitted = await cluster.createPod(c.pod, await cluster.namespace('privileged'));
  if (admitted.kind !== 'allowed') throw new Error(`not admitted: ${JSON.stringify(admitted)}`);
  expect(compare(lv, psa, level, engine.evaluate(admitted.object, level, version))).toBeUndefined();
  expect(engine.evaluate(c.pod, level, version).length > 0).toBe(decision === 'deny');
});

// Every example of every PSS policy (policies/pss-*/examples), at the policy's level and at the
// version its expectation file names: a denied example is refused by PSA (or, for a workload,
// warned about), and Palisade's whole level agrees with PSA on it.
const examples = findPolicyFolders('policies')
  .filter((id) => id.startsWith('pss-'))
  .flatMap((id) =>
    // The examples as every other runner reads them (src/policy/source: YAML 1.1, as kubectl).
    policyExamples('policies', id).map((ex) => {
      if (!ex.object) throw new Error(`${ex.file}: ${ex.problem}`);
      const version = String(ex.parameters?.version ?? 'latest');
      const name = `${id}/${ex.expect}/${basename(ex.file)}`;
      return [name, id.split('-')[1] as Level, version, ex.expect, ex.object] as const;
    }),
  );

it.each(examples)('example %s (%s:%s)', async (_file, level, version, kind, obj) => {
  const isPod = obj.kind === 'Pod';
  const psa = await cluster.createWorkload(obj, await cluster.namespace(level, version));
  let outcome: PsaOutcome = psa;
  if (!isPod && psa.kind === 'allowed') {
    // PSA only warns about workloads: read the warning as its decision.
    const warning = psa.warnings.find((w) => w.startsWith('would violate PodSecurity'));
    if (warning) outcome = { kind: 'denied', message: warning };
  }
  if (kind === 'denied') expect(outcome.kind).toBe('denied');
  const admitted = isPod
    ? await cluster.createPod(obj, await cluster.namespace('privileged'))
    : psa;
  if (admitted.kind !== 'allowed') throw new Error(`not admitted: ${JSON.stringify(admitted)}`);
  const palisade = engine.evaluate(admitted.object, level, version);
  expect(compare(`${level}:${version}`, outcome, level, palisade)).toBeUndefined();
});

describe('on a Pod that exists', () => {
  const suffix = Date.now().toString(36);

  it('evaluates ephemeral containers added through the ephemeralcontainers subresource', async () => {
    const debug = (securityContext?: object) => ({
      name: 'debug',
      image: 'registry.k8s.io/pause:3.10',
      ...(securityContext ? { securityContext } : {}),
    });
    const variants = [
      { name: 'privileged', c: debug({ privileged: true }), baseline: 'deny', restricted: 'deny' },
      { name: 'plain', c: debug(), baseline: 'allow', restricted: 'deny' },
      {
        name: 'restricted',
        c: debug({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } }),
        baseline: 'allow',
        restricted: 'allow',
      },
    ] as const;
    for (const level of ['baseline', 'restricted'] as const) {
      const ns = await cluster.namespace(level);
      const name = `edge-eph-${suffix}`;
      const created = await cluster.api.call('POST', `/api/v1/namespaces/${ns}/pods`, {
        ...restrictedPod(),
        metadata: { name },
      });
      expect(created.status).toBe(201);
      const existing = created.body as KubeObject;
      for (const v of variants) {
        const updated = structuredClone(existing) as KubeObject & { spec: Record<string, unknown> };
        updated.spec.ephemeralContainers = [v.c];
        const psa = await cluster.addEphemeral(name, updated, ns);
        expect(`${level} ${v.name}: ${psa.kind}`).toBe(
          `${level} ${v.name}: ${v[level] === 'allow' ? 'allowed' : 'denied'}`,
        );
        const palisade = engine.evaluate(updated, level, 'latest', {
          operation: 'UPDATE',
          oldObject: existing,
          subResource: 'ephemeralcontainers',
        });
        expect(compare(`${level} ephemeral ${v.name}`, psa, level, palisade)).toBeUndefined();
      }
    }
  });

  it('lets a Pod that breaks its level change labels, but not its image', async () => {
    // A privileged Pod created before the namespace enforced baseline.
    const ns = `pss-diff-update-${suffix}`;
    const made = await cluster.api.call('POST', '/api/v1/namespaces', {
      metadata: { name: ns },
    });
    expect(made.status).toBe(201);
    const pod = restrictedPod((s) => (s.containers[0].securityContext = { privileged: true }));
    const created = await cluster.api.call('POST', `/api/v1/namespaces/${ns}/pods`, pod);
    expect(created.status).toBe(201);
    const existing = created.body as KubeObject;
    const labelled = await cluster.api.call(
      'PATCH',
      `/api/v1/namespaces/${ns}`,
      { metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } },
      'application/merge-patch+json',
    );
    expect(labelled.status).toBe(200);

    // Strategic merge: containers are merged by name.
    const patch = (body: object) =>
      cluster.api.call(
        'PATCH',
        `/api/v1/namespaces/${ns}/pods/edge?dryRun=All`,
        body,
        'application/strategic-merge-patch+json',
      );
    const relabel = await patch({ metadata: { labels: { tier: 'web' } } });
    expect(relabel.status).toBe(200);
    const palisadeRelabel = engine.evaluate(relabel.body, 'baseline', 'latest', {
      operation: 'UPDATE',
      oldObject: existing,
    });
    expect(palisadeRelabel).toEqual([]);

    const image = 'registry.k8s.io/pause:3.9';
    const reimage = await patch({ spec: { containers: [{ name: 'app', image }] } });
    expect(reimage.status).toBe(403);
    const newImage = structuredClone(existing) as KubeObject & { spec: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
    newImage.spec.containers[0].image = image;
    const palisadeReimage = engine.evaluate(newImage, 'baseline', 'latest', {
      operation: 'UPDATE',
      oldObject: existing,
    });
    expect(palisadeReimage.map((v) => v.msg)).toEqual([
      'privileged (container "app" must not set securityContext.privileged=true)',
    ]);
  });
});
