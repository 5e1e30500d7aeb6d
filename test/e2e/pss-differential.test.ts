// Differential test of Palisade's Pod Security Standards policies against the real kube-apiserver's
// built-in Pod Security Admission (scripts/cluster.sh). fast-check generates Pods (seeded) that
// touch the fields of every check; each valid Pod is dry-run created in namespaces enforcing
// baseline and restricted, at latest and at one older version, and evaluated by Palisade's engine
// with the pss-baseline-* (baseline) or pss-baseline-* + pss-restricted-* (restricted) policies at
// action deny and the same version. Palisade must refuse exactly the Pods PSA refuses, for the same
// checks. The same Pod as a Deployment's template is compared with PSA's workload warning.
//
// Env: PSS_DIFF_SEED (default 20260401), PSS_DIFF_RUNS (Pods, default 400). A summary is written to
// .tools/pss-differential.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import type { KubeObject } from '../../src/admission/types';
import { disagreement, psaReasons, workloadViolation } from './pss/compare';
import { podCase } from './pss/pod-arbitraries';
import { asDeployment } from './pss/psa-fixtures';
import { startPsaCluster, type PsaCluster } from './pss/psa-cluster';
import { loadPssEngine, type Level, type PssEngine } from './pss/pss-engine';

const SEED = Number(process.env.PSS_DIFF_SEED ?? 20260401);
const RUNS = Number(process.env.PSS_DIFF_RUNS ?? 400);
const LEVELS: Level[] = ['baseline', 'restricted'];
// Versions at which some check changes, each Pod is also compared at one of them.
const VERSIONS = [
  'v1.0', 'v1.8', 'v1.18', 'v1.19', 'v1.22', 'v1.23', 'v1.24', 'v1.25', 'v1.26', 'v1.27',
  'v1.28', 'v1.29', 'v1.30', 'v1.31', 'v1.32', 'v1.33', 'v1.34', 'v1.35', 'v1.36', 'v1.37',
]; // prettier-ignore

let engine: PssEngine;
let cluster: PsaCluster;

beforeAll(async () => {
  engine = await loadPssEngine();
  cluster = await startPsaCluster();
}, 1_800_000); // the first run on a fresh machine builds kube-apiserver

afterAll(async () => {
  await cluster?.close();
});

interface Tally {
  compared: number;
  agreed: number;
  psaDenied: number;
}

it(`decides generated Pods as the apiserver's Pod Security Admission (seed ${SEED})`, async () => {
  const cases = fc.sample(fc.tuple(podCase, fc.constantFrom(...VERSIONS)), {
    seed: SEED,
    numRuns: RUNS,
  });
  const tally: Record<string, Tally> = {};
  const count = (key: string, agreed: boolean, denied: boolean) => {
    const t = (tally[key] ??= { compared: 0, agreed: 0, psaDenied: 0 });
    t.compared++;
    if (agreed) t.agreed++;
    if (denied) t.psaDenied++;
  };
  const problems: string[] = [];
  const invalid: Record<string, number> = {};
  let valid = 0;
  let invalidDeployments = 0;
  const privileged = await cluster.namespace('privileged');

  for (const [i, [c, olderVersion]] of cases.entries()) {
    const admitted = await cluster.createPod(c.pod, privileged);
    if (admitted.kind !== 'allowed') {
      const reason = admitted.message.replace(/^.*?: /, '').slice(0, 100);
      invalid[reason] = (invalid[reason] ?? 0) + 1;
      continue;
    }
    valid++;
    const podJson = JSON.stringify(c.pod);
    for (const level of LEVELS) {
      for (const version of ['latest', olderVersion]) {
        const psa = await cluster.createPod(c.pod, await cluster.namespace(level, version));
        if (psa.kind === 'invalid') {
          problems.push(`pod #${i} ${level}:${version}: PSA namespace refused it: ${psa.message}`);
          continue;
        }
        const psaDenied = psa.kind === 'denied';
        const reasons = psa.kind === 'denied' ? psaReasons(psa.message) : new Set<string>();
        // As the webhook receives it (defaulted by the apiserver), then as written.
        for (const [what, obj, compareReasons, key] of [
          ['as admitted', admitted.object, true, 'pod'],
          ['as written', c.pod, false, 'pod-as-written'],
        ] as const) {
          const d = disagreement({
            what: `pod #${i} ${level}:${version} (${what})`,
            psaDenied,
            psaReasons: reasons,
            palisade: engine.evaluate(obj, level, version),
            reasons: compareReasons,
            level,
          });
          if (d) problems.push(`${d}\n    ${podJson}`);
          count(`${level}:${version === 'latest' ? 'latest' : 'older'}:${key}`, !d, psaDenied);
        }
      }
      const deployment = asDeployment(c.pod);
      const psaDep = await cluster.createWorkload(deployment, await cluster.namespace(level));
      if (psaDep.kind !== 'allowed') {
        // Validation of templates differs slightly from Pods' (e.g. AppArmor annotation vs field).
        invalidDeployments++;
        continue;
      }
      const warning = workloadViolation(psaDep);
      const d = disagreement({
        what: `deployment #${i} ${level}:latest`,
        psaDenied: warning !== undefined,
        psaReasons: warning ? psaReasons(warning) : new Set(),
        palisade: engine.evaluate(psaDep.object as KubeObject, level),
        reasons: true,
        level,
      });
      if (d) problems.push(`${d}\n    ${podJson}`);
      count(`${level}:latest:deployment`, !d, warning !== undefined);
    }
  }

  const summary = {
    seed: SEED,
    generated: RUNS,
    valid,
    invalid,
    invalidDeployments,
    tally,
    disagreements: problems,
  };
  mkdirSync('.tools', { recursive: true });
  writeFileSync('.tools/pss-differential.json', JSON.stringify(summary, null, 2) + '\n');
  const line = Object.entries(tally)
    .map(([k, t]) => `${k} ${t.agreed}/${t.compared} (${t.psaDenied} refused by PSA)`)
    .join(', ');
  console.log(`pss-differential: seed ${SEED}, ${RUNS} Pods, ${valid} valid; ${line}`);

  expect(problems).toEqual([]);
  // The corpus must exercise both sides of the line at each level, or agreement means little.
  expect(valid).toBeGreaterThan(RUNS / 2);
  for (const level of LEVELS) {
    const t = tally[`${level}:latest:pod`]!;
    expect(t.psaDenied).toBeGreaterThan(t.compared / 10);
    expect(t.compared - t.psaDenied).toBeGreaterThan(t.compared / 10);
  }
}, 900_000);
