// What a policy set gives every request without recomputing it (src/policy/policy-index.ts and
// policyEntry in engine.ts): the active policies by kind in set order, their actions, whether a
// namespaceSelector is used, and the serialized input, the same text as one JSON.stringify.
import { validateConfig } from '../../../src/config/load';
import { serializeInput } from '../../../src/policy/engine';
import { policyIndex } from '../../../src/policy/policy-index';
import type { PolicyMeta } from '../../../src/policy/policy-meta';
import { resolvePolicies } from '../../../src/policy/policy-set';
import { needsNamespaceWatch } from '../../../src/policy/snapshot';
import { pod, review } from '../../fixtures/reviews';

const meta = (id: string, kinds: string[], action: PolicyMeta['action'] = 'deny'): PolicyMeta => ({
  id,
  title: id,
  action,
  match: { kinds, operations: ['CREATE', 'UPDATE'] },
  parameters: { properties: { max: { default: 3 } } },
});

const bundle = new Map(
  [
    meta('any-kind', ['*'], 'audit'),
    meta('pods', ['Pod'], 'warn'),
    meta('workloads', ['Pod', 'Deployment']),
    meta('off-pods', ['Pod'], 'off'),
  ].map((m) => [m.id, m]),
);

function resolve(configRaw: object = {}) {
  const config = validateConfig('t', configRaw);
  return { config, policies: resolvePolicies(bundle, config).policies };
}

describe('policyIndex', () => {
  const { policies } = resolve();
  const index = policyIndex(policies);
  const ids = (kind: string) => index.forKind(kind).map((p) => p.id);

  it.each([
    ['Pod', 'Pod', ['any-kind', 'pods', 'workloads']],
    ['Deployment', 'Deployment', ['any-kind', 'workloads']],
    ['a kind no policy names', 'ConfigMap', ['any-kind']],
  ])('gives the active policies of %s, in set order', (_name, kind, want) => {
    expect(ids(kind)).toEqual(want);
  });

  it('maps each active policy to its action, and leaves off policies out', () => {
    expect(Object.fromEntries(index.actions)).toEqual({
      'any-kind': 'audit',
      pods: 'warn',
      workloads: 'deny',
    });
  });

  it('is built once per set, and anew for another set', () => {
    expect(policyIndex(policies)).toBe(index);
    expect(
      policyIndex(policies.slice(1))
        .forKind('Pod')
        .map((p) => p.id),
    ).toEqual(['pods', 'workloads']);
  });

  it('tells whether an active policy has a namespaceSelector, and the watch follows', () => {
    const selector = { matchLabels: { env: 'prod' } };
    const onOff = resolve({ policies: { 'off-pods': { match: { namespaceSelector: selector } } } });
    const onPods = resolve({ policies: { pods: { match: { namespaceSelector: selector } } } });
    expect(policyIndex(onOff.policies).usesNamespaceSelector).toBe(false);
    expect(policyIndex(onPods.policies).usesNamespaceSelector).toBe(true);
    expect([needsNamespaceWatch(onOff), needsNamespaceWatch(onPods)]).toEqual([false, true]);
    const always = resolve({ kubernetes: { namespaceLabels: 'watch' } });
    const never = resolve({
      kubernetes: { namespaceLabels: 'off' },
      policies: { pods: { match: { namespaceSelector: selector } } },
    });
    expect([needsNamespaceWatch(always), needsNamespaceWatch(never)]).toEqual([true, false]);
  });
});

describe('serializeInput', () => {
  const { policies } = resolve({ policies: { pods: { parameters: { max: 5 } } } });
  const decode = (b: ArrayBuffer) => new TextDecoder().decode(b);

  it('writes the text JSON.stringify writes for the review and the policies', () => {
    const r = review(pod('web')).request;
    const selected = Object.fromEntries(policies.map((p) => [p.id, { parameters: p.parameters }]));
    expect(decode(serializeInput(r, policies))).toBe(
      JSON.stringify({ review: r, policies: selected }),
    );
  });

  it('serializes a changed copy of a policy with its own parameters', () => {
    const r = review(pod('web')).request;
    const pods = policies.find((p) => p.id === 'pods')!;
    decode(serializeInput(r, [pods])); // the original's entry is now kept
    const copy = { ...pods, parameters: { max: 9 } };
    expect(JSON.parse(decode(serializeInput(r, [copy]))).policies).toEqual({
      pods: { parameters: { max: 9 } },
    });
  });
});
