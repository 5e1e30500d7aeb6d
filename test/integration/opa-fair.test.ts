// The fair OPA anchor (bench/opa-fair.ts) on the real opa server (.tools/bin/opa, topdown) against
// Palisade's wasm, on a bundle built here from policies/ (so the Rego OPA loads and the bundle are
// the same sources): the bench's own start (startOpaFair, which checks the bench inputs), then
// every example of every policy that applies to the bench Deployment, twice — (a) under the
// bench's config (every applicable policy at its defaults: the merged input.parameters of the
// bench), (b) its own policy alone with the example's parameters. The fair query must find
// exactly Palisade's violations each time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluationInputs } from '../../bench/eval-inputs';
import { configMapReview, deploymentReview, podReview } from '../../bench/inputs';
import {
  fairInput,
  fairPolicies,
  fairViolations,
  violationSet,
  type FairPolicy,
} from '../../bench/opa-fair';
import { post, startOpaFair, type FairOpaTarget } from '../../bench/opa-server';
import { buildPolicySet, type BenchPolicySet } from '../../bench/policy-set';
import { validateConfig } from '../../src/config/load';
import { loadBundle } from '../../src/policy/bundle';
import { InlineEvaluator, serializeInput } from '../../src/policy/engine';
import { applicablePolicies } from '../../src/policy/match';
import { resolvePolicies, type EffectivePolicy } from '../../src/policy/policy-set';
import type { AdmissionRequest } from '../../src/policy/request';
import { exampleRequest, policyExamples } from '../../src/policy/source/examples';
import { ROOT } from '../support/root';

const reviews = { deployment: deploymentReview(), pod: podReview(), configmap: configMapReview() };

let work: string;
let set: BenchPolicySet;
let fair: FairOpaTarget;
let engine: InlineEvaluator;
let policies: FairPolicy[];
let defaults: readonly EffectivePolicy[];
let bundlePolicies: Awaited<ReturnType<typeof loadBundle>>['policies'];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'palisade-opa-fair-'));
  set = buildPolicySet(ROOT, join(work, 'set'), 1);
  const evalInputs = await evaluationInputs(set.configFile, reviews);
  fair = await startOpaFair(ROOT, work, set, reviews, evalInputs);
  const bundle = await loadBundle(set.bundle);
  bundlePolicies = bundle.policies;
  engine = new InlineEvaluator(bundle, { maxMemoryBytes: 64 << 20 });
  policies = fairPolicies(set.bundle);
  defaults = resolvePolicies(
    bundle.policies,
    validateConfig('test', { bundle: set.bundle }),
  ).policies;
}, 300_000);

afterAll(() => {
  fair?.proc.kill('SIGTERM');
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Palisade's violations and the fair query's for one request and its applicable policies. */
async function both(req: AdmissionRequest, applicable: readonly EffectivePolicy[]) {
  const evalInput = new TextDecoder().decode(serializeInput(req, applicable));
  const body = JSON.stringify({ input: fairInput(req, evalInput, policies) });
  const answer = await post(fair.port, fair.path, body);
  expect(answer.status).toBe(200);
  return {
    fair: violationSet(fairViolations(JSON.parse(answer.text).result)),
    palisade: violationSet(
      engine.evaluateSync(new TextEncoder().encode(evalInput).buffer as ArrayBuffer),
    ),
  };
}

it('starts for the bench inputs, where the fair query answers as Palisade (startOpaFair checks)', async () => {
  for (const name of Object.keys(reviews)) {
    const answer = await post(fair.port, fair.path, fair.body(name));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text).result).toEqual([]);
  }
});

describe('the example corpus of the policies that apply to a Deployment', () => {
  const deploymentPolicies = () =>
    applicablePolicies(defaults, reviews.deployment.request).map((p) => p.id);
  const examples = () =>
    deploymentPolicies().flatMap((id) => policyExamples(join(ROOT, 'policies'), id));

  it('covers the Deployment policies and their examples', () => {
    expect(deploymentPolicies().length).toBeGreaterThanOrEqual(20);
    expect(examples().filter((e) => e.expect === 'denied').length).toBeGreaterThanOrEqual(
      deploymentPolicies().length,
    );
    expect(examples().every((e) => !e.problem)).toBe(true);
  });

  it('(a) under the bench config: every applicable policy, one merged input.parameters', async () => {
    let found = 0;
    for (const ex of examples()) {
      const req = exampleRequest(ex);
      const { fair: got, palisade: want } = await both(req, applicablePolicies(defaults, req));
      expect({ file: ex.file, violations: got }).toEqual({ file: ex.file, violations: want });
      found += want.length;
    }
    expect(found).toBeGreaterThan(examples().length);
  });

  it("(b) each example's policy alone, with the example's parameters", async () => {
    for (const ex of examples()) {
      const config = validateConfig('example', {
        bundle: set.bundle,
        policies: {
          [ex.policy]: { action: 'deny', ...(ex.parameters ? { parameters: ex.parameters } : {}) },
        },
      });
      const only = resolvePolicies(bundlePolicies, config).policies.filter(
        (p) => p.id === ex.policy,
      );
      const req = exampleRequest(ex);
      const { fair: got, palisade: want } = await both(req, applicablePolicies(only, req));
      expect({ file: ex.file, violations: got }).toEqual({ file: ex.file, violations: want });
      expect(got.length > 0).toBe(ex.expect === 'denied');
    }
  });
});
