// Constraint parsing: parameters against the template's openAPIV3Schema (each error with its
// field), spec.match's shape, enforcementAction (deny, dryrun → audit, warn, scoped for the
// webhook's enforcement point) and the id rule (Kind/name).
import { constraintId, parseConstraint } from '../../../src/gatekeeper/constraint';
import { GatekeeperObjectError } from '../../../src/gatekeeper/gatekeeper-error';
import { constraintPolicy } from '../../../src/gatekeeper/policies';
import { parseTemplate, type Template } from '../../../src/gatekeeper/template';

const template = parseTemplate(
  {
    apiVersion: 'templates.gatekeeper.sh/v1',
    kind: 'ConstraintTemplate',
    metadata: { name: 'k8srequiredlabels' },
    spec: {
      crd: {
        spec: {
          names: { kind: 'K8sRequiredLabels' },
          validation: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                labels: { type: 'array', items: { type: 'string' } },
                message: { type: 'string', 'x-kubernetes-preserve-unknown-fields': true },
                count: { type: 'integer', format: 'int32' },
              },
            },
          },
        },
      },
      targets: [{ target: 'admission.k8s.gatekeeper.sh', rego: 'package x\n' }],
    },
  },
  't.yaml',
);
const templates = new Map<string, Template>([['K8sRequiredLabels', template]]);

function constraint(spec: Record<string, unknown>, o: Record<string, unknown> = {}): unknown {
  return {
    apiVersion: 'constraints.gatekeeper.sh/v1beta1',
    kind: 'K8sRequiredLabels',
    metadata: { name: 'must-have-owner' },
    spec,
    ...o,
  };
}

it('reads parameters, match and the default action deny', () => {
  const match = { kinds: [{ apiGroups: [''], kinds: ['Pod'] }], namespaces: ['prod-*'] };
  const c = parseConstraint(
    constraint({ match, parameters: { labels: ['owner'], count: 2 } }),
    templates,
    'c.yaml:1',
  );
  expect(c).toMatchObject({
    id: 'K8sRequiredLabels/must-have-owner',
    name: 'must-have-owner',
    template: 'k8srequiredlabels',
    enforcementAction: 'deny',
    action: 'deny',
    parameters: { labels: ['owner'], count: 2 },
    match,
  });
});

it.each([
  ['deny', 'deny'],
  ['warn', 'warn'],
  ['dryrun', 'audit'],
])('maps enforcementAction %s to the webhook action %s', (given, action) => {
  expect(parseConstraint(constraint({ enforcementAction: given }), templates, 'c').action).toBe(
    action,
  );
});

it.each<[string, { action: string; enforcementPoints: { name: string }[] }[], string]>([
  [
    'the webhook point',
    [{ action: 'warn', enforcementPoints: [{ name: 'validation.gatekeeper.sh' }] }],
    'warn',
  ],
  ['"*"', [{ action: 'dryrun', enforcementPoints: [{ name: '*' }] }], 'audit'],
  [
    'the strongest of several',
    [
      { action: 'warn', enforcementPoints: [{ name: 'validation.gatekeeper.sh' }] },
      { action: 'deny', enforcementPoints: [{ name: '*' }] },
    ],
    'deny',
  ],
  [
    'audit only: recorded, never denied',
    [{ action: 'deny', enforcementPoints: [{ name: 'audit.gatekeeper.sh' }] }],
    'audit',
  ],
])('scoped: takes %s', (_name, scoped, action) => {
  const c = parseConstraint(
    constraint({ enforcementAction: 'scoped', scopedEnforcementActions: scoped }),
    templates,
    'c',
  );
  expect(c.action).toBe(action);
  expect(c.enforcementAction).toBe('scoped');
});

it.each<[string, unknown, string]>([
  [
    'a parameter of the wrong type',
    constraint({ parameters: { labels: 'owner' } }),
    'spec.parameters.labels must be array',
  ],
  [
    'an item of the wrong type',
    constraint({ parameters: { labels: ['a', 3] } }),
    'spec.parameters.labels[1] must be string',
  ],
  [
    'a match typo',
    constraint({ match: { namespace: ['x'] } }),
    'spec.match: unknown field namespace',
  ],
  [
    'a bad scope',
    constraint({ match: { scope: 'cluster' } }),
    'spec.match.scope must be equal to one of the allowed values',
  ],
  [
    'an unknown action',
    constraint({ enforcementAction: 'block' }),
    'spec.enforcementAction must be one of deny, dryrun, warn, scoped (got "block")',
  ],
  [
    'scoped without actions',
    constraint({ enforcementAction: 'scoped' }),
    'spec.scopedEnforcementActions must list actions',
  ],
  [
    'a kind no template defines',
    constraint({}, { kind: 'K8sOther' }),
    'no ConstraintTemplate defines kind K8sOther (templates given: K8sRequiredLabels)',
  ],
  [
    'another group',
    constraint({}, { apiVersion: 'example.com/v1' }),
    'apiVersion must be constraints.gatekeeper.sh/',
  ],
])('refuses %s, naming the constraint and the field', (_name, doc, problem) => {
  let err: GatekeeperObjectError | undefined;
  try {
    parseConstraint(doc, templates, 'c.yaml:7');
  } catch (e) {
    err = e as GatekeeperObjectError;
  }
  expect(err?.code).toBe('PAL_ERR_GATEKEEPER_CONSTRAINT');
  expect(err?.problem).toContain(problem);
  expect(err?.message).toContain('(c.yaml:7)');
});

it('gives ids no built-in policy can have, distinct across kinds', () => {
  expect(constraintId('K8sRequiredLabels', 'x')).not.toBe(constraintId('K8sAllowedRepos', 'x'));
  expect(constraintId('K8sRequiredLabels', 'x')).toContain('/');
});

it('makes a frozen policy filed under the kinds of its match', () => {
  const match = {
    kinds: [
      { apiGroups: [''], kinds: ['Pod'] },
      { apiGroups: ['apps'], kinds: ['Deployment'] },
    ],
  };
  const p = constraintPolicy(parseConstraint(constraint({ match }), templates, 'c'));
  expect(Object.isFrozen(p)).toBe(true);
  expect(p.match.kinds).toEqual(['Deployment', 'Pod']);
  expect(p.constraint).toEqual({
    template: 'k8srequiredlabels',
    kind: 'K8sRequiredLabels',
    name: 'must-have-owner',
    match,
  });
  const any = constraintPolicy(
    parseConstraint(
      constraint({ match: { kinds: [{ apiGroups: ['*'], kinds: ['*'] }] } }),
      templates,
      'c',
    ),
  );
  expect(any.match.kinds).toBeUndefined();
});
