// Palisade's own policies applied to the chart's own objects: the rendered Deployment, the helm
// test pod, the Service, the RBAC objects... evaluated by the webhook's engine on the compiled
// bundle, as if they were created in an ordinary namespace (the webhook exempts its own).
import { validateConfig } from '../../src/config/load';
import { handleAdmission, type ActedViolation } from '../../src/admission/handler';
import { ADMISSION_API_VERSION, type AdmissionReviewRequest } from '../../src/admission/types';
import { resolveKind } from '../../src/policy/source/kinds';
import { manifestRequest } from '../../src/policy/source/manifest-request';
import { loadBundle, type Bundle } from '../../src/policy/bundle';
import { InlineEvaluator } from '../../src/policy/engine';
import { resolvePolicies } from '../../src/policy/policy-set';
import { render, SCENARIOS, type K8sObject } from './render';

const BUNDLE = process.env.PALISADE_TEST_BUNDLE ?? 'dist/bundle';

/**
 * Findings accepted on purpose, with the reason. Everything else must be clean. The chart ships
 * a pinned tag; require-image-digest (off by default) wants a digest, which only
 * production-values.yaml sets (image.digest).
 */
const accepted = (scenario: string, finding: string) =>
  scenario !== 'production-values.yaml' && finding.startsWith('require-image-digest ');

let bundle: Bundle;
beforeAll(async () => {
  bundle = await loadBundle(BUNDLE);
});

/** The review the apiserver would send for a chart object created in namespace team-a. */
function reviewOf(o: K8sObject, i: number): AdmissionReviewRequest {
  const kind = resolveKind(o.apiVersion, o.kind, new Map());
  const object = { ...o, metadata: { ...o.metadata, namespace: undefined } };
  const request = manifestRequest(object, kind, {
    operation: 'CREATE',
    namespace: 'team-a',
    username: 'admin',
    groups: [],
    uid: `chart-${i}`,
  });
  return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', request };
}

async function findings(
  scenario: string,
  edit: (objects: K8sObject[]) => K8sObject[] = (o) => o,
): Promise<string[]> {
  // Every policy at deny, those off by default included when they need no site-specific
  // parameters, so nothing is hidden by a default action.
  const needsSiteParameters = ['restrict-image-registries'];
  const policies = Object.fromEntries(
    [...bundle.policies.keys()].map((id) => [
      id,
      { action: needsSiteParameters.includes(id) ? 'off' : 'deny' },
    ]),
  );
  const config = validateConfig('t', { bundle: BUNDLE, policies });
  const resolved = resolvePolicies(bundle.policies, config).policies;
  const evaluator = new InlineEvaluator(bundle, { maxMemoryBytes: 64 << 20 });
  const objects = edit(render({ values: scenario === 'default' ? [] : [scenario] }));
  const out: string[] = [];
  for (const [i, o] of objects.entries()) {
    const d = await handleAdmission(reviewOf(o, i), { config, policies: resolved, evaluator });
    expect(d.outcome).not.toBe('error');
    out.push(
      ...d.violations.map(
        (v: ActedViolation) => `${v.policy} ${o.kind}/${o.metadata.name}: ${v.msg}`,
      ),
    );
  }
  return out;
}

it.each(['default', ...SCENARIOS])('the chart objects break no policy (%s)', async (scenario) => {
  const found = await findings(scenario);
  expect(found.filter((f) => !accepted(scenario, f))).toEqual([]);
});

it('every Pod Security policy in the bundle is among those applied', () => {
  const pss = [...bundle.policies.values()].filter((p) => p.controls?.pss).map((p) => p.id);
  expect(pss.length).toBeGreaterThan(0);
});

it('the check can fail: a privileged container in the Deployment is found', async () => {
  const found = await findings('default', (objects) => {
    const d = objects.find((o) => o.kind === 'Deployment')!;
    d.spec.template.spec.containers[0].securityContext.privileged = true;
    return objects;
  });
  expect(found).toContain(
    'disallow-privileged Deployment/palisade: privileged (container "palisade" must not set securityContext.privileged=true)',
  );
});
