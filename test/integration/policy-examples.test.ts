// Every example manifest of every built-in policy (policies/<id>/examples, see
// docs/policy-contract.md), run through OUR engine on the real compiled bundle: the config sets
// that one policy to deny with the example's parameters, the pure handler matches and evaluates
// it in wasm, and the decision must be allow (examples/allowed) or deny with exactly the
// violations of <name>.expected.json (examples/denied). `opa test` runs the same examples through
// topdown (scripts/opa-test.sh); this is the guarantee that the wasm bundle, the metadata's match
// and default parameters, and the handler agree with them.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { AdmissionReviewRequest, KubeObject, Operation } from '../../src/admission/types';
import { handleAdmission } from '../../src/admission/handler';
import { MAX_DENY_ITEMS } from '../../src/admission/messages';
import { validateConfig } from '../../src/config/load';
import { loadBundle, type Bundle } from '../../src/policy/bundle';
import { InlineEvaluator } from '../../src/policy/engine';
import { resolvePolicies } from '../../src/policy/policy-set';
import { BUNDLE } from './harness';

const POLICIES = 'policies';

interface Expected {
  parameters?: Record<string, unknown>;
  operation?: Operation;
  violations: Record<string, unknown>[];
}

interface Example {
  policy: string;
  verdict: 'allowed' | 'denied';
  file: string;
  object: KubeObject;
  expected: Expected;
}

/** Policy folders, as scripts/policy-manifest.js finds them (lib, .x and _x are not policies). */
function policyIds(): string[] {
  return readdirSync(POLICIES)
    .filter((d) => d !== 'lib' && !/^[._]/.test(d) && statSync(join(POLICIES, d)).isDirectory())
    .sort();
}

function loadExamples(): Example[] {
  const out: Example[] = [];
  for (const policy of policyIds()) {
    for (const verdict of ['allowed', 'denied'] as const) {
      const dir = join(POLICIES, policy, 'examples', verdict);
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir)
        .filter((x) => /\.ya?ml$/.test(x))
        .sort()) {
        const file = join(dir, f);
        const docs = parseAllDocuments(readFileSync(file, 'utf8'));
        if (docs.length !== 1 || !('toJS' in docs[0]!)) throw new Error(`${file}: one document`);
        const expFile = file.replace(/\.ya?ml$/, '.expected.json');
        const expected: Expected = existsSync(expFile)
          ? JSON.parse(readFileSync(expFile, 'utf8'))
          : { violations: [] };
        out.push({ policy, verdict, file, object: docs[0].toJS() as KubeObject, expected });
      }
    }
  }
  return out;
}

/** The AdmissionReview the API server would send for the manifest (as policy-manifest.js). */
function reviewFor(ex: Example): AdmissionReviewRequest {
  const obj = ex.object;
  const apiVersion = String(obj.apiVersion);
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const kind = String(obj.kind);
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: '00000000-0000-0000-0000-000000000000',
      kind: { group: group!, version: version!, kind },
      resource: { group: group!, version: version!, resource: `${kind.toLowerCase()}s` },
      name: obj.metadata?.name ?? '',
      namespace: obj.metadata?.namespace ?? 'default',
      operation: ex.expected.operation ?? 'CREATE',
      userInfo: { username: 'palisade-example' },
      object: obj,
      oldObject: null,
      dryRun: false,
    },
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
  expect(examples.filter((e) => e.policy === id && e.verdict === 'allowed').length).toBeGreaterThan(
    0,
  );
  expect(examples.filter((e) => e.policy === id && e.verdict === 'denied').length).toBeGreaterThan(
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
        ...(ex.expected.parameters ? { parameters: ex.expected.parameters } : {}),
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
  const want = ex.expected.violations;
  const keys = [...new Set(['msg', 'path', ...want.flatMap((v) => Object.keys(v))])];
  const got = decision.violations as unknown as Record<string, unknown>[];
  expect(asSet(got, keys)).toEqual(asSet(want, keys));
  expect(got.every((v) => v.policy === ex.policy && v.action === 'deny')).toBe(true);
  if (ex.verdict === 'allowed') {
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
