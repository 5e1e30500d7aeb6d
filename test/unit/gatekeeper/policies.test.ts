// Constraints in the evaluation input: grouped by template, each with its name and parameters,
// beside Palisade's own policies; and messages showing a constraint's name.
import { describeViolation, warningLines } from '../../../src/admission/messages';
import { parseConstraint } from '../../../src/gatekeeper/constraint';
import { constraintPolicies } from '../../../src/gatekeeper/policies';
import { parseTemplate } from '../../../src/gatekeeper/template';
import { serializeInput } from '../../../src/policy/engine';
import type { EffectivePolicy } from '../../../src/policy/policy-set';

const template = parseTemplate(
  {
    apiVersion: 'templates.gatekeeper.sh/v1',
    kind: 'ConstraintTemplate',
    metadata: { name: 'k8srequiredlabels' },
    spec: {
      crd: { spec: { names: { kind: 'K8sRequiredLabels' } } },
      targets: [{ target: 'admission.k8s.gatekeeper.sh', rego: 'package x\n' }],
    },
  },
  't',
);
const byKind = new Map([['K8sRequiredLabels', template]]);
const constraint = (name: string, labels: string[]) =>
  parseConstraint(
    {
      apiVersion: 'constraints.gatekeeper.sh/v1beta1',
      kind: 'K8sRequiredLabels',
      metadata: { name },
      spec: { parameters: { labels } },
    },
    byKind,
    'c',
  );

it('puts constraints in input.constraints by template, built-ins in input.policies', () => {
  const own = {
    id: 'disallow-privileged',
    meta: {},
    parameters: { x: 1 },
    match: {},
    action: 'deny',
  } as unknown as EffectivePolicy;
  const cs = constraintPolicies([constraint('a', ['owner']), constraint('b', ['team'])]);
  const request = {
    uid: 'u',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    operation: 'CREATE' as const,
    userInfo: {},
  };
  const input = JSON.parse(new TextDecoder().decode(serializeInput(request, [own, ...cs])));
  expect(input.policies).toEqual({ 'disallow-privileged': { parameters: { x: 1 } } });
  expect(input.constraints).toEqual({
    k8srequiredlabels: {
      'K8sRequiredLabels/a': { name: 'a', parameters: { labels: ['owner'] } },
      'K8sRequiredLabels/b': { name: 'b', parameters: { labels: ['team'] } },
    },
  });
  expect(JSON.parse(new TextDecoder().decode(serializeInput(request, [own])))).not.toHaveProperty(
    'constraints',
  );
});

it("shows a constraint's name and its message as written", () => {
  const v = {
    policy: 'K8sRequiredLabels/a',
    name: 'a',
    msg: 'you must provide labels: {"owner"}',
    path: '',
    fix: '',
    details: {},
  };
  expect(describeViolation(v)).toBe('[a] you must provide labels: {"owner"}');
  expect(warningLines([v])).toEqual(['[a] you must provide labels: {"owner"}']);
  expect(describeViolation({ ...v, name: undefined, policy: 'p' })).toBe(
    '[p] you must provide labels: {"owner"}.',
  );
});
