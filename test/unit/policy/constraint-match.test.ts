// Gatekeeper's spec.match semantics, case by case (Gatekeeper's docs, "The match field", and its
// matcher pkg/mutation/match/match.go): kinds with apiGroups and "*", scope, namespaces and
// excludedNamespaces with prefix / suffix globs, labelSelector, namespaceSelector (a Namespace's
// own labels, cluster-scoped objects always), name globs, object OR old object.
import { constraintMatches, type ConstraintMatch } from '../../../src/policy/constraint-match';
import type { AdmissionRequest, KubeObject } from '../../../src/policy/request';
import { wildcardMatch } from '../../../src/policy/wildcard';

function req(object: KubeObject | null, o: Partial<AdmissionRequest> = {}): AdmissionRequest {
  const [group, version] = String(object?.apiVersion ?? 'v1').includes('/')
    ? String(object?.apiVersion).split('/')
    : ['', String(object?.apiVersion ?? 'v1')];
  return {
    uid: 'u',
    kind: { group: group!, version: version!, kind: String(object?.kind ?? 'Pod') },
    name: object?.metadata?.name,
    namespace: object?.metadata?.namespace,
    operation: 'CREATE',
    userInfo: { username: 'alice' },
    object,
    oldObject: null,
    ...o,
  };
}

const podIn = (ns: string, labels: Record<string, string> = {}, name = 'web'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, labels },
});
const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', namespace: 'shop' },
};
const namespace = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});
const clusterRole: KubeObject = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name: 'viewer' },
};

const pods = { kinds: [{ apiGroups: [''], kinds: ['Pod'] }] };

type Case = [string, ConstraintMatch, KubeObject, boolean, Record<string, string>?];

const CASES: Case[] = [
  ['no match: everything', {}, clusterRole, true],
  ['kinds: core Pod', pods, podIn('shop'), true],
  ['kinds: core Pod is not apps Deployment', pods, deployment, false],
  [
    'kinds: apiGroups * with the kind',
    { kinds: [{ apiGroups: ['*'], kinds: ['Deployment'] }] },
    deployment,
    true,
  ],
  [
    'kinds: the group must match',
    { kinds: [{ apiGroups: [''], kinds: ['Deployment'] }] },
    deployment,
    false,
  ],
  [
    'kinds: kinds * with the group',
    { kinds: [{ apiGroups: ['apps'], kinds: ['*'] }] },
    deployment,
    true,
  ],
  [
    'kinds: an entry with no kinds matches any kind of its groups',
    { kinds: [{ apiGroups: ['apps'] }] },
    deployment,
    true,
  ],
  [
    'kinds: one entry of several suffices',
    {
      kinds: [
        { apiGroups: [''], kinds: ['Pod'] },
        { apiGroups: ['apps'], kinds: ['Deployment'] },
      ],
    },
    deployment,
    true,
  ],
  ['scope Namespaced: a Pod', { scope: 'Namespaced' }, podIn('shop'), true],
  ['scope Namespaced: not a Namespace', { scope: 'Namespaced' }, namespace('shop'), false],
  ['scope Cluster: a Namespace is cluster-scoped', { scope: 'Cluster' }, namespace('shop'), true],
  ['scope Cluster: a ClusterRole', { scope: 'Cluster' }, clusterRole, true],
  ['scope Cluster: not a Pod', { scope: 'Cluster' }, podIn('shop'), false],
  ['namespaces: exact', { namespaces: ['shop'] }, podIn('shop'), true],
  ['namespaces: other', { namespaces: ['shop'] }, podIn('bank'), false],
  ['namespaces: prefix glob', { namespaces: ['kube-*'] }, podIn('kube-system'), true],
  ['namespaces: suffix glob', { namespaces: ['*-system'] }, podIn('gatekeeper-system'), true],
  ['namespaces: a glob is not a substring', { namespaces: ['kube-*'] }, podIn('my-kube-x'), false],
  ['namespaces: a Namespace by its own name', { namespaces: ['shop'] }, namespace('shop'), true],
  [
    'namespaces: cluster-scoped objects are not excluded',
    { namespaces: ['shop'] },
    clusterRole,
    true,
  ],
  ['excludedNamespaces: excluded', { excludedNamespaces: ['kube-*'] }, podIn('kube-public'), false],
  ['excludedNamespaces: other namespace', { excludedNamespaces: ['kube-*'] }, podIn('shop'), true],
  [
    'excludedNamespaces: a Namespace by its own name',
    { excludedNamespaces: ['shop'] },
    namespace('shop'),
    false,
  ],
  [
    'excludedNamespaces: cluster-scoped objects stay',
    { excludedNamespaces: ['*'] },
    clusterRole,
    true,
  ],
  [
    'labelSelector: matchLabels',
    { labelSelector: { matchLabels: { app: 'web' } } },
    podIn('shop', { app: 'web' }),
    true,
  ],
  [
    'labelSelector: missing label',
    { labelSelector: { matchLabels: { app: 'web' } } },
    podIn('shop'),
    false,
  ],
  [
    'labelSelector: NotIn without the label',
    { labelSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['x'] }] } },
    podIn('shop'),
    true,
  ],
  [
    'namespaceSelector: the namespace labels',
    { namespaceSelector: { matchLabels: { env: 'prod' } } },
    podIn('shop'),
    true,
    { env: 'prod' },
  ],
  [
    'namespaceSelector: other namespace labels',
    { namespaceSelector: { matchLabels: { env: 'prod' } } },
    podIn('shop'),
    false,
    { env: 'dev' },
  ],
  [
    'namespaceSelector: a Namespace by its own labels',
    { namespaceSelector: { matchLabels: { env: 'prod' } } },
    namespace('shop', { env: 'prod' }),
    true,
    { env: 'dev' },
  ],
  [
    'namespaceSelector: a Namespace without them',
    { namespaceSelector: { matchLabels: { env: 'prod' } } },
    namespace('shop'),
    false,
  ],
  [
    'namespaceSelector: cluster-scoped objects always',
    { namespaceSelector: { matchLabels: { env: 'prod' } } },
    clusterRole,
    true,
    { env: 'dev' },
  ],
  [
    'namespaceSelector: unknown labels apply the constraint',
    { namespaceSelector: { matchLabels: { env: 'prod' } } },
    podIn('shop'),
    true,
  ],
  ['name: exact', { name: 'web' }, podIn('shop'), true],
  ['name: prefix glob', { name: 'we*' }, podIn('shop'), true],
  ['name: suffix glob', { name: '*-pod' }, podIn('shop', {}, 'a-pod'), true],
  ['name: other', { name: 'api' }, podIn('shop'), false],
  [
    'all criteria together',
    { ...pods, namespaces: ['shop'], labelSelector: { matchLabels: { app: 'web' } }, name: 'web' },
    podIn('shop', { app: 'web' }),
    true,
  ],
];

for (const [name, match, object, expected, nsLabels] of CASES) {
  it(name, () => {
    expect(constraintMatches(match, req(object), nsLabels)).toBe(expected);
  });
}

it('matches when the old object matches and the new one does not (an UPDATE moving out)', () => {
  const match = { labelSelector: { matchLabels: { app: 'web' } } };
  const r = req(podIn('shop', { app: 'api' }), {
    operation: 'UPDATE',
    oldObject: podIn('shop', { app: 'web' }),
  });
  expect(constraintMatches(match, r)).toBe(true);
  expect(constraintMatches(match, { ...r, oldObject: podIn('shop', { app: 'api' }) })).toBe(false);
});

it('matches a DELETE on the deleted (old) object', () => {
  const r = req(null, {
    operation: 'DELETE',
    oldObject: podIn('shop', { app: 'web' }),
    namespace: 'shop',
  });
  expect(constraintMatches({ ...pods, labelSelector: { matchLabels: { app: 'web' } } }, r)).toBe(
    true,
  );
});

it.each([
  ['kube-*', 'kube-system', true],
  ['*-system', 'kube-system', true],
  ['*ube*', 'kube-system', true],
  ['*', 'anything', true],
  ['kube-system', 'kube-system', true],
  ['kube-system', 'kube-public', false],
  ['kube-*', 'my-kube', false],
])('wildcard %s against %s: %s', (pattern, value, expected) => {
  expect(wildcardMatch(pattern, value)).toBe(expected);
});
