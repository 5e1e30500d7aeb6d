import { validateConfig } from '../../../src/config/load';
import { applicablePolicies, exemption, namespaceLabelsNeeded } from '../../../src/policy/match';
import type { PolicyMeta } from '../../../src/policy/policy-meta';
import { resolvePolicies } from '../../../src/policy/policy-set';
import { deployment, pod, review } from '../../fixtures/reviews';

const meta = (id: string, kinds: string[], action: PolicyMeta['action'] = 'deny'): PolicyMeta => ({
  id,
  title: id,
  action,
  match: { kinds, operations: ['CREATE', 'UPDATE'] },
  parameters: { properties: { max: { default: 3 } } },
});

const bundle = new Map([
  ['pods-only', meta('pods-only', ['Pod'])],
  ['workloads', meta('workloads', ['Pod', 'Deployment'])],
  ['disabled', meta('disabled', ['Pod'], 'off')],
]);

function ids(configRaw: object, r = review(pod('web'))) {
  const { policies } = resolvePolicies(bundle, validateConfig('test', configRaw));
  return applicablePolicies(policies, r.request).map((p) => p.id);
}

describe('applicablePolicies', () => {
  it.each([
    [
      'a Pod matches both pod policies, never an off one',
      {},
      review(pod('web')),
      ['pods-only', 'workloads'],
    ],
    ['a Deployment matches the workload policy only', {}, review(deployment('web')), ['workloads']],
    [
      'DELETE is not in the default operations',
      {},
      review(null, { operation: 'DELETE', oldObject: pod('web') }),
      [],
    ],
    [
      'config turns a policy off',
      { policies: { 'pods-only': { action: 'off' } } },
      review(pod('web')),
      ['workloads'],
    ],
    [
      'config turns an off policy on',
      { policies: { disabled: { action: 'warn' } } },
      review(pod('web')),
      ['disabled', 'pods-only', 'workloads'],
    ],
    [
      'namespaces include list',
      { policies: { workloads: { match: { namespaces: ['prod-*'] } } } },
      review(pod('web'), { namespace: 'prod-eu' }),
      ['pods-only', 'workloads'],
    ],
    [
      'namespaces include list excludes others',
      { policies: { workloads: { match: { namespaces: ['prod-*'] } } } },
      review(pod('web'), { namespace: 'dev' }),
      ['pods-only'],
    ],
    [
      'excludedNamespaces',
      { policies: { 'pods-only': { match: { excludedNamespaces: ['dev'] } } } },
      review(pod('web'), { namespace: 'dev' }),
      ['workloads'],
    ],
    [
      'labelSelector on the object',
      {
        policies: { 'pods-only': { match: { labelSelector: { matchLabels: { app: 'other' } } } } },
      },
      review(pod('web')),
      ['workloads'],
    ],
    [
      'labelSelector NotIn',
      {
        policies: {
          'pods-only': {
            match: {
              labelSelector: {
                matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }],
              },
            },
          },
        },
      },
      review(pod('web')),
      ['workloads'],
    ],
    [
      'operations override',
      { policies: { 'pods-only': { match: { operations: ['DELETE'] } } } },
      review(null, { operation: 'DELETE', oldObject: pod('web') }),
      ['pods-only'],
    ],
  ])('%s', (_name, cfg, r, expected) => {
    expect(ids(cfg, r)).toEqual(expected);
  });

  describe('namespaceSelector', () => {
    const prodOnly = (extra: object = {}) =>
      resolvePolicies(
        bundle,
        validateConfig('t', {
          policies: {
            'pods-only': { match: { namespaceSelector: { matchLabels: { env: 'prod' } } } },
            ...extra,
          },
        }),
      ).policies;
    const inTeamA = review(pod('web'), { namespace: 'team-a' }).request;

    it('applies with the labels of the namespace', () => {
      const policies = prodOnly();
      expect(applicablePolicies(policies, inTeamA, { env: 'dev' }).map((p) => p.id)).toEqual([
        'workloads',
      ]);
      expect(applicablePolicies(policies, inTeamA, { env: 'prod' }).map((p) => p.id)).toEqual([
        'pods-only',
        'workloads',
      ]);
    });

    it('applies the policy when the labels are unknown (fails toward enforcement)', () => {
      expect(applicablePolicies(prodOnly(), inTeamA).map((p) => p.id)).toEqual([
        'pods-only',
        'workloads',
      ]);
    });

    it('judges a Namespace object by its own labels, with no lookup', () => {
      const nsReview = review({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'team-b', labels: {} },
      }).request;
      expect(namespaceLabelsNeeded(prodOnly(), nsReview)).toBeUndefined();
    });

    it('asks for the request namespace only when an active policy has a selector', () => {
      expect(namespaceLabelsNeeded(prodOnly(), inTeamA)).toBe('team-a');
      expect(namespaceLabelsNeeded(prodOnly({ 'pods-only': { action: 'off' } }), inTeamA)).toBe(
        undefined,
      );
      expect(
        namespaceLabelsNeeded(resolvePolicies(bundle, validateConfig('t', {})).policies, inTeamA),
      ).toBeUndefined();
      const clusterScoped = review(pod('web'), { namespace: '' }).request;
      expect(namespaceLabelsNeeded(prodOnly(), clusterScoped)).toBeUndefined();
    });
  });

  it('merges parameter defaults with configured parameters', () => {
    const { policies } = resolvePolicies(
      bundle,
      validateConfig('t', { policies: { workloads: { parameters: { extra: true } } } }),
    );
    expect(policies.find((p) => p.id === 'workloads')?.parameters).toEqual({ max: 3, extra: true });
  });

  it('reports config entries for policies the bundle lacks', () => {
    const { problems } = resolvePolicies(
      bundle,
      validateConfig('t', { policies: { nope: { action: 'deny' } } }),
    );
    expect(problems).toEqual(['policies.nope: no such policy in the bundle']);
  });
});

describe('exemption', () => {
  const ex = {
    namespaces: ['kube-*'],
    users: ['system:serviceaccount:ops:deployer'],
    groups: ['system:masters'],
  };
  it.each([
    [review(pod('p'), { namespace: 'kube-system' }), 'namespace kube-system is exempt'],
    [
      review(pod('p'), { username: 'system:serviceaccount:ops:deployer' }),
      'user system:serviceaccount:ops:deployer is exempt',
    ],
    [review(pod('p'), { groups: ['system:masters'] }), 'group system:masters is exempt'],
    [review(pod('p')), undefined],
  ])('%#', (r, reason) => {
    expect(exemption(r.request, ex)).toBe(reason);
  });
});
