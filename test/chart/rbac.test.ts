// templates/rbac.yaml: least privilege. Only tls.mode auto talks to the apiserver, and then only
// to its own Secret and its own ValidatingWebhookConfiguration, by name.
import { find, render, SCENARIOS, type K8sObject } from './render';

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

it.each(['default', ...SCENARIOS])(
  'no wildcard and no unnamed resource in any rule (%s)',
  (scenario) => {
    const objects = render({ values: scenario === 'default' ? [] : [scenario] });
    for (const o of rbacOf(objects).filter((r) => r.rules)) {
      for (const rule of o.rules) {
        expect([...rule.apiGroups, ...rule.resources, ...rule.verbs]).not.toContain('*');
        expect(rule.resourceNames?.length).toBeGreaterThan(0);
      }
    }
  },
);

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
