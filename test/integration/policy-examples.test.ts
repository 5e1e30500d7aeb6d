// Every example manifest of every built-in policy (policies/<id>/examples, see
// docs/policy-contract.md), run through OUR engine on the real compiled bundle: the config sets
// that one policy to deny with the example's parameters, the pure handler matches and evaluates
// it in wasm, and the decision must be allow (examples/allowed) or deny with exactly the
// violations of <name>.expected.json (examples/denied). This is the one run of the examples
// through the engine in a test run (scripts/test.sh runs `palisade test --rego`: opa check, fmt
// and opa test, where the same examples run as generated Rego tests through topdown); the
// examples and their requests come from src/policy/source, as for `palisade test` and opa test,
// so both see the same request. This is the guarantee that the wasm bundle, the metadata's match
// and default parameters, and the handler agree with them.
import { handleAdmission } from '../../src/admission/handler';
import { MAX_DENY_ITEMS } from '../../src/admission/messages';
import type { AdmissionReviewRequest } from '../../src/admission/types';
import { validateConfig } from '../../src/config/load';
import { loadBundle, type Bundle } from '../../src/policy/bundle';
import { InlineEvaluator } from '../../src/policy/engine';
import { resolvePolicies } from '../../src/policy/policy-set';
import { findPolicyFolders } from '../../src/policy/source/discover';
import { exampleRequest, policyExamples, type Example } from '../../src/policy/source/examples';
import { BUNDLE } from './harness';

const POLICIES = 'policies';

/** Policy folders (lib, .x and _x are not policies). */
function policyIds(): string[] {
  return findPolicyFolders(POLICIES);
}

function loadExamples(): Example[] {
  const examples = policyIds().flatMap((id) => policyExamples(POLICIES, id));
  const broken = examples.filter((e) => e.problem);
  if (broken.length > 0) throw new Error(broken.map((e) => e.problem).join('\n'));
  return examples;
}

/** The AdmissionReview the API server would send for the manifest (src/policy/source). */
function reviewFor(ex: Example): AdmissionReviewRequest {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: exampleRequest(ex, '00000000-0000-0000-0000-000000000000'),
  };
}

/** Each violation cut down to the keys the expectation uses, as sorted JSON (a set). */
function asSet(vs: Record<string, unknown>[], keys: string[]): string[] {
  return vs
    .map((v) =>
      JSON.stringify(Object.fromEntries(keys.filter((k) => k in v).map((k) => [k, v[k]]))),
    )
    .sort();
}

const examples = loadExamples();

let bundle: Bundle;
let evaluator: InlineEvaluator;
beforeAll(async () => {
  bundle = await loadBundle(BUNDLE);
  evaluator = new InlineEvaluator(bundle, { maxMemoryBytes: 64 << 20 });
});

it('finds the examples', () => {
  expect(examples.length).toBeGreaterThan(0);
});

it.each(policyIds())('%s has allowed and denied examples and is in the bundle', (id) => {
  expect(examples.filter((e) => e.policy === id && e.expect === 'allowed').length).toBeGreaterThan(
    0,
  );
  expect(examples.filter((e) => e.policy === id && e.expect === 'denied').length).toBeGreaterThan(
    0,
  );
  expect(bundle.policies.has(id)).toBe(true);
});

it.each(examples.map((e) => [e.file, e] as const))('%s', async (_file, ex) => {
  const config = validateConfig('examples', {
    bundle: BUNDLE,
    policies: {
      [ex.policy]: {
        action: 'deny',
        ...(ex.parameters ? { parameters: ex.parameters } : {}),
      },
    },
  });
  const { policies, problems } = resolvePolicies(bundle.policies, config);
  expect(problems).toEqual([]);
  const only = policies.filter((p) => p.id === ex.policy);
  const review = reviewFor(ex);
  const decision = await handleAdmission(review, { config, policies: only, evaluator });

  // The policy's own match (kinds, operations) must select the example.
  expect(decision.evaluated).toEqual([ex.policy]);
  const want = ex.violations as unknown as Record<string, unknown>[];
  const keys = [...new Set(['msg', 'path', ...want.flatMap((v) => Object.keys(v))])];
  const got = decision.violations as unknown as Record<string, unknown>[];
  expect(asSet(got, keys)).toEqual(asSet(want, keys));
  expect(got.every((v) => v.policy === ex.policy && v.action === 'deny')).toBe(true);
  if (ex.expect === 'allowed') {
    expect(want).toEqual([]);
    expect(decision.review.response.allowed).toBe(true);
  } else {
    expect(want.length).toBeGreaterThan(0);
    expect(decision.review.response.allowed).toBe(false);
    // The denial kubectl prints names each violation (up to its item limit).
    const message = decision.review.response.status?.message ?? '';
    if (want.length <= MAX_DENY_ITEMS)
      for (const v of want) expect(message).toContain(String(v.msg));
  }
});
