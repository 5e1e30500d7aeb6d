// gatekeeper.enabled (templates/gatekeeper-crd.yaml, gatekeeper-rbac.yaml, the gatekeeper lines
// of _config.tpl and _rules.tpl): off by default and then nothing of it renders; on, the
// ConstraintTemplate CRD, exactly the permissions the controller needs, the config block and a
// webhook rule for every resource. The CRD and the policy are applied to the real apiserver in
// test/e2e/gatekeeper*.test.ts.
import { parse } from 'yaml';
import { find, render, renderError, type K8sObject } from './render';

const ON = { 'gatekeeper.enabled': true };
const config = (objects: K8sObject[]) => parse(find(objects, 'ConfigMap').data['config.yaml']);
const rules = (objects: K8sObject[]) =>
  find(objects, 'ValidatingWebhookConfiguration').webhooks[0].rules;
const gatekeeperObjects = (objects: K8sObject[]) =>
  objects.filter((o) => /gatekeeper/.test(o.metadata.name));

describe('gatekeeper.enabled: false (default)', () => {
  const objects = render();

  it('renders no CRD, no RBAC, no config block and no catch-all rule', () => {
    expect(gatekeeperObjects(objects)).toEqual([]);
    expect(config(objects).gatekeeper).toBeUndefined();
    expect(
      rules(objects).filter((r: { resources: string[] }) => r.resources.includes('*')),
    ).toEqual([]);
  });
});

describe('gatekeeper.enabled: true', () => {
  const objects = render({ set: ON });

  it('installs the ConstraintTemplate CRD: v1 stored, v1beta1 and v1alpha1 served, kept on uninstall', () => {
    const crd = find(
      objects,
      'CustomResourceDefinition',
      'constrainttemplates.templates.gatekeeper.sh',
    );
    expect(crd.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
    expect(crd.spec.scope).toBe('Cluster');
    expect(crd.spec.names).toEqual({
      kind: 'ConstraintTemplate',
      listKind: 'ConstraintTemplateList',
      plural: 'constrainttemplates',
      singular: 'constrainttemplate',
    });
    expect(crd.spec.versions.map((v: K8sObject) => [v.name, v.served, v.storage])).toEqual([
      ['v1', true, true],
      ['v1beta1', true, false],
      ['v1alpha1', true, false],
    ]);
    const legacy = (v: K8sObject) =>
      v.schema.openAPIV3Schema.properties.spec.properties.crd.properties.spec.properties.validation
        .properties.legacySchema.default;
    expect(crd.spec.versions.map(legacy)).toEqual([false, true, true]);
    for (const v of crd.spec.versions) expect(v.subresources).toEqual({ status: {} });
  });

  it('grants exactly what the controller needs', () => {
    expect(find(objects, 'ClusterRole', 'palisade-gatekeeper').rules).toEqual([
      {
        apiGroups: ['apiextensions.k8s.io'],
        resources: ['customresourcedefinitions'],
        verbs: ['get', 'create', 'update', 'delete'],
      },
      {
        apiGroups: ['templates.gatekeeper.sh'],
        resources: ['constrainttemplates'],
        verbs: ['get', 'list', 'watch'],
      },
      {
        apiGroups: ['templates.gatekeeper.sh'],
        resources: ['constrainttemplates/status'],
        verbs: ['get', 'update'],
      },
      {
        apiGroups: ['constraints.gatekeeper.sh'],
        resources: ['*'],
        verbs: ['get', 'list', 'watch'],
      },
      {
        apiGroups: ['constraints.gatekeeper.sh'],
        resources: ['*/status'],
        verbs: ['get', 'update'],
      },
      {
        apiGroups: ['admissionregistration.k8s.io'],
        resources: ['validatingwebhookconfigurations'],
        verbs: ['list'],
      },
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
      {
        apiGroups: ['config.gatekeeper.sh'],
        resources: ['configs'],
        verbs: ['get', 'list', 'watch'],
      },
    ]);
    expect(find(objects, 'ClusterRoleBinding', 'palisade-gatekeeper').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'palisade', namespace: 'palisade-system' },
    ]);
  });

  it('confines its CRD writes to constraints.gatekeeper.sh with a ValidatingAdmissionPolicy', () => {
    const vap = find(objects, 'ValidatingAdmissionPolicy', 'palisade-gatekeeper-crds');
    expect(vap.spec.matchConditions).toEqual([
      {
        name: 'palisade-service-account',
        expression: 'request.userInfo.username == "system:serviceaccount:palisade-system:palisade"',
      },
    ]);
    expect(vap.spec.matchConstraints.resourceRules).toEqual([
      {
        apiGroups: ['apiextensions.k8s.io'],
        apiVersions: ['*'],
        operations: ['CREATE', 'UPDATE', 'DELETE'],
        resources: ['customresourcedefinitions'],
      },
    ]);
    const binding = find(objects, 'ValidatingAdmissionPolicyBinding', 'palisade-gatekeeper-crds');
    expect(binding.spec).toEqual({
      policyName: 'palisade-gatekeeper-crds',
      validationActions: ['Deny'],
    });
  });

  it("renders the config block with the image's opa", () => {
    expect(config(objects).gatekeeper).toEqual({
      enabled: true,
      opaPath: '/app/.tools/bin/opa',
      sync: { kinds: [], maxObjects: 10000 },
    });
  });

  it('sends every resource to the webhook for gatekeeper.operations', () => {
    const all = {
      apiGroups: ['*'],
      apiVersions: ['*'],
      resources: ['*'],
      operations: ['CREATE', 'UPDATE'],
      scope: '*',
    };
    expect(rules(objects)).toContainEqual(all);
    const withDelete = render({
      set: { ...ON, 'gatekeeper.operations': ['CREATE', 'UPDATE', 'DELETE'] },
    });
    expect(rules(withDelete)).toContainEqual({
      ...all,
      operations: ['CREATE', 'UPDATE', 'DELETE'],
    });
  });
});

describe('the service account token', () => {
  it.each([['auto'], ['cert-manager']])(
    'is mounted with tls.mode %s: the controller talks to the apiserver',
    (mode) => {
      const objects = render({ set: { ...ON, 'tls.mode': mode } });
      expect(find(objects, 'Deployment').spec.template.spec.automountServiceAccountToken).toBe(
        true,
      );
    },
  );
});

describe('gatekeeper.sync.kinds', () => {
  const objects = render({
    set: {
      ...ON,
      'gatekeeper.sync.kinds': [
        { group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces' },
        { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', resource: 'ingresses' },
      ],
    },
  });

  it('grants list and watch of each synced kind', () => {
    expect(find(objects, 'ClusterRole', 'palisade-gatekeeper').rules.slice(8)).toEqual([
      { apiGroups: [''], resources: ['namespaces'], verbs: ['list', 'watch'] },
      { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['list', 'watch'] },
    ]);
  });

  it('hands the kinds to the config without the chart-only resource', () => {
    expect(config(objects).gatekeeper.sync.kinds).toEqual([
      { group: '', version: 'v1', kind: 'Namespace' },
      { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' },
    ]);
  });
});

describe('refused values', () => {
  it.each([
    [
      'a bundle from outside the image',
      {
        ...ON,
        'policies.bundle.oci': 'oci://r.example/p:1',
        'policies.bundle.verification.required': false,
      },
      'gatekeeper.enabled: templates are compiled with the built-in policies; unset policies.bundle.oci / .url',
    ],
    ['an unknown key', { 'gatekeeper.enable': true }, "additional properties 'enable' not allowed"],
    [
      'an unknown operation',
      { 'gatekeeper.operations': ['PATCH'] },
      "at '/gatekeeper/operations/0': value must be one of",
    ],
    [
      'a synced kind without its resource',
      { 'gatekeeper.sync.kinds': [{ version: 'v1', kind: 'Namespace' }] },
      "missing property 'resource'",
    ],
    [
      'synced kinds without gatekeeper.enabled (they would get no RBAC)',
      {
        'gatekeeper.sync.kinds': [
          { group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces' },
        ],
      },
      'gatekeeper.sync.kinds: the chart grants',
    ],
  ])('%s', (_what, set, message) => {
    expect(renderError({ set })).toContain(message);
  });

  it('rbac.create false: the CRD, no RBAC (the ServiceAccount is granted it by hand)', () => {
    const secret = { 'tls.mode': 'secret', 'tls.secret.name': 'tls', 'tls.secret.caBundle': 'x' };
    const objects = render({ set: { ...ON, ...secret, 'rbac.create': false } });
    expect(gatekeeperObjects(objects).map((o) => o.kind)).toEqual(['CustomResourceDefinition']);
  });
});
