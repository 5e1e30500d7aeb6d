// templates/rbac.yaml: least privilege. tls.mode auto talks to the apiserver only about its own
// Secret and its own ValidatingWebhookConfiguration, by name; a policy with a namespaceSelector
// adds read-only access to namespaces, and nothing else does.
import {
  find,
  render as renderChart,
  renderError,
  SCENARIOS,
  withoutAuditRbac,
  type K8sObject,
} from './render';

// The webhook's permissions; the audit's (audit.enabled, on by default) are in audit.test.ts.
const render = (...args: Parameters<typeof renderChart>) => withoutAuditRbac(renderChart(...args));

const rbacKinds = ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'];
const rbacOf = (objects: K8sObject[]) => objects.filter((o) => rbacKinds.includes(o.kind));

describe('tls.mode auto (default)', () => {
  const objects = render();

  it('may get and update only its TLS Secret, in its namespace', () => {
    const role = find(objects, 'Role');
    expect(role.metadata.namespace).toBe('palisade-system');
    expect(role.rules).toEqual([
      {
        apiGroups: [''],
        resources: ['secrets'],
        resourceNames: ['palisade-tls'],
        verbs: ['get', 'update'],
      },
    ]);
  });

  it('may get and update only its own ValidatingWebhookConfiguration', () => {
    expect(find(objects, 'ClusterRole').rules).toEqual([
      {
        apiGroups: ['admissionregistration.k8s.io'],
        resources: ['validatingwebhookconfigurations'],
        resourceNames: ['palisade'],
        verbs: ['get', 'update'],
      },
    ]);
  });

  it('binds both to its ServiceAccount', () => {
    for (const kind of ['RoleBinding', 'ClusterRoleBinding']) {
      expect(find(objects, kind).subjects).toEqual([
        { kind: 'ServiceAccount', name: 'palisade', namespace: 'palisade-system' },
      ]);
    }
  });

  it('follows webhook.configurationName', () => {
    const role = find(render({ set: { 'webhook.configurationName': 'corp' } }), 'ClusterRole');
    expect(role.rules[0].resourceNames).toEqual(['corp']);
  });
});

const NAMESPACES_READ = {
  apiGroups: [''],
  resources: ['namespaces'],
  verbs: ['get', 'list', 'watch'],
};

it.each(['default', ...SCENARIOS])(
  'no wildcard, and no unnamed resource but read-only namespaces, in any rule (%s)',
  (scenario) => {
    const objects = render({ values: scenario === 'default' ? [] : [scenario] });
    for (const o of rbacOf(objects).filter((r) => r.rules)) {
      for (const rule of o.rules) {
        expect([...rule.apiGroups, ...rule.resources, ...rule.verbs]).not.toContain('*');
        if (rule.resources.includes('namespaces')) expect(rule).toEqual(NAMESPACES_READ);
        else expect(rule.resourceNames?.length).toBeGreaterThan(0);
      }
    }
  },
);

describe('namespace labels for match.namespaceSelector', () => {
  const selector = { namespaceSelector: { matchLabels: { tier: 'production' } } };
  const secretMode = {
    'tls.mode': 'secret',
    'tls.secret.name': 'mine',
    'tls.secret.caBundle': 'LS0t',
  };
  const clusterRules = (set: Record<string, unknown>) =>
    rbacOf(render({ set })).find((o) => o.kind === 'ClusterRole')?.rules;

  it('a policy with a namespaceSelector adds get, list and watch on namespaces', () => {
    expect(clusterRules({ 'policies.require-probes.match': selector })).toEqual([
      expect.objectContaining({ resources: ['validatingwebhookconfigurations'] }),
      NAMESPACES_READ,
    ]);
  });

  it('in tls.mode secret that is the only permission, bound to the ServiceAccount, with a token', () => {
    const objects = render({ set: { ...secretMode, 'policies.require-probes.match': selector } });
    expect(rbacOf(objects).map((o) => o.kind)).toEqual(['ClusterRole', 'ClusterRoleBinding']);
    expect(find(objects, 'ClusterRole').rules).toEqual([NAMESPACES_READ]);
    expect(find(objects, 'ClusterRoleBinding').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'palisade', namespace: 'palisade-system' },
    ]);
    const pod = find(objects, 'Deployment').spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(true);
  });

  it.each([
    ['a policy that is off', { 'policies.require-probes': { action: 'off', match: selector } }],
    [
      'config.namespaceLabels off',
      { 'policies.require-probes.match': selector, 'config.namespaceLabels': 'off' },
    ],
    ['no namespaceSelector', { 'policies.require-probes.match': { namespaces: ['a'] } }],
  ])('%s grants nothing on namespaces', (_name, set) => {
    expect(clusterRules(set)).toEqual([
      expect.objectContaining({ resources: ['validatingwebhookconfigurations'] }),
    ]);
  });

  it('config.namespaceLabels watch grants it with no selector', () => {
    expect(clusterRules({ ...secretMode, 'config.namespaceLabels': 'watch' })).toEqual([
      NAMESPACES_READ,
    ]);
  });

  it('without rbac.create or a ServiceAccount name, the install fails saying what is missing', () => {
    expect(
      renderError({
        set: {
          ...secretMode,
          'rbac.create': false,
          'policies.require-probes.match': selector,
        },
      }),
    ).toContain('a policy with match.namespaceSelector needs get, list and watch on namespaces');
  });
});

it.each(['secret-values.yaml', 'cert-manager-values.yaml'])(
  '%s needs no RBAC at all',
  (scenario) => {
    expect(rbacOf(render({ values: [scenario] }))).toEqual([]);
  },
);

it('rbac.create false creates none', () => {
  expect(
    rbacOf(
      render({
        set: {
          'rbac.create': false,
          'serviceAccount.create': false,
          'serviceAccount.name': 'mine',
        },
      }),
    ),
  ).toEqual([]);
});
