// templates/validatingwebhookconfiguration.yaml: the apiserver's side of the contract, and rules
// derived from the enabled policies.
import { find, POLICY_SUMMARY, render, renderError, type K8sObject } from './render';

const webhookOf = (objects: K8sObject[]) =>
  find(objects, 'ValidatingWebhookConfiguration').webhooks[0];

interface Rule {
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
  operations: string[];
}

/** Every (group, version, resource, operation) a set of rules sends to the webhook. */
function flatten(rules: Rule[]): string[] {
  const out = new Set<string>();
  for (const r of rules)
    for (const g of r.apiGroups)
      for (const v of r.apiVersions)
        for (const res of r.resources)
          for (const op of r.operations) out.add(`${g}/${v}/${res}:${op}`);
  return [...out].sort();
}

/** The same, computed from files/policies.json for the given action overrides. */
function expected(overrides: Record<string, { action?: string; kinds?: string[] }> = {}): string[] {
  const out = new Set<string>();
  for (const [id, p] of Object.entries(POLICY_SUMMARY.policies)) {
    if ((overrides[id]?.action ?? p.action) === 'off') continue;
    for (const kind of overrides[id]?.kinds ?? p.kinds) {
      const k = POLICY_SUMMARY.kinds[kind]!;
      for (const res of k.resources)
        for (const op of p.operations) out.add(`${k.group}/${k.version}/${res}:${op}`);
    }
  }
  return [...out].sort();
}

describe('defaults', () => {
  const webhook = webhookOf(render());

  it('fails closed (failurePolicy Fail) with a short timeout', () => {
    expect(webhook.failurePolicy).toBe('Fail');
    expect(webhook.timeoutSeconds).toBe(5);
  });

  it('has no side effects and speaks admission.k8s.io/v1', () => {
    expect(webhook.sideEffects).toBe('None');
    expect(webhook.admissionReviewVersions).toEqual(['v1']);
    expect(webhook.name).toBe('validate.palisade.dev');
  });

  it('calls the Service on /validate', () => {
    expect(webhook.clientConfig.service).toEqual({
      name: 'palisade',
      namespace: 'palisade-system',
      path: '/validate',
      port: 443,
    });
    expect(webhook.clientConfig.url).toBeUndefined();
  });

  it('leaves the caBundle to Palisade (tls.mode auto), so upgrades never reset it', () => {
    expect(webhook.clientConfig.caBundle).toBeUndefined();
  });

  it('never sends kube-system, kube-node-lease or its own namespace', () => {
    expect(webhook.namespaceSelector.matchExpressions).toEqual([
      {
        key: 'kubernetes.io/metadata.name',
        operator: 'NotIn',
        values: ['palisade-system', 'kube-system', 'kube-node-lease'],
      },
    ]);
  });

  it('skips Leases and Events with matchConditions', () => {
    const names = webhook.matchConditions.map((c: { name: string }) => c.name);
    expect(names).toEqual(['skip-leases', 'skip-events']);
    expect(webhook.matchConditions[0].expression).toContain('"leases"');
    expect(webhook.matchConditions[1].expression).toContain('"events"');
  });

  it('sends exactly the resources and operations of the enabled policies', () => {
    expect(flatten(webhook.rules)).toEqual(expected());
    expect(flatten(webhook.rules)).toContain('/v1/pods/ephemeralcontainers:UPDATE');
  });
});

describe('rules follow the policies values', () => {
  const allOff = Object.fromEntries(
    Object.keys(POLICY_SUMMARY.policies).map((id) => [id, { action: 'off' }]),
  );

  it('policies.<id>.action off removes what only that policy needed; all off leaves no rule', () => {
    expect(webhookOf(render({ set: { policies: allOff } })).rules).toEqual([]);
  });

  it('policies.<id>.match.kinds narrows the rules to those kinds', () => {
    const policies = {
      ...allOff,
      'disallow-privileged': { action: 'deny', match: { kinds: ['Pod', 'Deployment'] } },
    };
    const rules = webhookOf(render({ set: { policies } })).rules;
    expect(flatten(rules)).toEqual(
      expected({
        ...allOff,
        'disallow-privileged': { action: 'deny', kinds: ['Pod', 'Deployment'] },
      }),
    );
    expect(flatten(rules)).toEqual([
      '/v1/pods/ephemeralcontainers:CREATE',
      '/v1/pods/ephemeralcontainers:UPDATE',
      '/v1/pods:CREATE',
      '/v1/pods:UPDATE',
      'apps/v1/deployments:CREATE',
      'apps/v1/deployments:UPDATE',
    ]);
  });

  it('policies.<id>.match.kinds with a kind the chart cannot map fails with the fix', () => {
    const policies = { 'disallow-privileged': { action: 'deny', match: { kinds: ['Widget'] } } };
    expect(renderError({ set: { policies } })).toContain(
      'policy disallow-privileged matches kind Widget, which the chart cannot map',
    );
  });

  it('webhook.extraRules are added to the derived ones', () => {
    const extra = {
      apiGroups: ['example.com'],
      apiVersions: ['v1'],
      resources: ['widgets'],
      operations: ['CREATE'],
      scope: 'Namespaced',
    };
    const rules = webhookOf(render({ set: { 'webhook.extraRules': [extra] } })).rules;
    expect(rules).toContainEqual(extra);
    expect(flatten(rules)).toEqual([...expected(), 'example.com/v1/widgets:CREATE'].sort());
  });

  it('the rendered rules are stable (sorted), whatever the values order', () => {
    expect(render()).toEqual(render());
  });
});

describe('values', () => {
  it('webhook.failurePolicy Ignore, timeoutSeconds and url (scenario url-values.yaml)', () => {
    const webhook = webhookOf(render({ values: ['url-values.yaml'] }));
    expect(webhook.failurePolicy).toBe('Ignore');
    expect(webhook.timeoutSeconds).toBe(3);
    expect(webhook.clientConfig).toEqual({ url: 'https://palisade.example.com:8443/validate' });
  });

  it('webhook.excludedNamespaces and namespaceSelectorExpressions (production-values.yaml)', () => {
    const webhook = webhookOf(render({ values: ['production-values.yaml'] }));
    expect(webhook.namespaceSelector.matchExpressions).toEqual([
      {
        key: 'kubernetes.io/metadata.name',
        operator: 'NotIn',
        values: ['palisade-system', 'kube-system', 'kube-node-lease', 'istio-system'],
      },
      { key: 'palisade.dev/ignore', operator: 'DoesNotExist' },
    ]);
  });

  it('the release namespace is excluded even when the list is emptied', () => {
    const webhook = webhookOf(
      render({ namespace: 'policy', set: { 'webhook.excludedNamespaces': [] } }),
    );
    expect(webhook.namespaceSelector.matchExpressions[0].values).toEqual(['policy']);
  });

  it('webhook.configurationName and webhook.name', () => {
    const objects = render({
      set: { 'webhook.configurationName': 'corp-policy', 'webhook.name': 'policy.corp.example' },
    });
    const vwc = find(objects, 'ValidatingWebhookConfiguration');
    expect(vwc.metadata.name).toBe('corp-policy');
    expect(vwc.webhooks[0].name).toBe('policy.corp.example');
  });

  it('tls.mode secret puts the given CA in the caBundle', () => {
    const webhook = webhookOf(render({ values: ['secret-values.yaml'] }));
    const pem = Buffer.from(webhook.clientConfig.caBundle, 'base64').toString();
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
  });

  it('tls.mode cert-manager asks cainjector for the caBundle', () => {
    const vwc = find(
      render({ values: ['cert-manager-values.yaml'] }),
      'ValidatingWebhookConfiguration',
    );
    expect(vwc.metadata.annotations).toEqual({
      'cert-manager.io/inject-ca-from': 'palisade-system/palisade-tls',
    });
    expect(vwc.webhooks[0].clientConfig.caBundle).toBeUndefined();
  });
});
