// The evaluation input carries only the object fields the applicable policies can read (their
// palisade.json `reads`): a Secret's data and a ConfigMap's binaryData stay out of the wasm unless
// a policy reads them.
import type { KubeObject } from '../../../src/admission/types';
import { validateConfig } from '../../../src/config/load';
import { serializeInput } from '../../../src/policy/engine';
import type { PolicyMeta } from '../../../src/policy/policy-meta';
import { resolvePolicies } from '../../../src/policy/policy-set';
import { review } from '../../fixtures/reviews';

const meta = (
  id: string,
  reads?: PolicyMeta['reads'],
  readsManagedFields?: boolean,
): PolicyMeta => ({
  id,
  title: id,
  action: 'deny',
  match: { kinds: ['Secret', 'ConfigMap', 'Deployment'], operations: ['CREATE', 'UPDATE'] },
  parameters: { properties: {} },
  ...(reads === undefined ? {} : { reads }),
  ...(readsManagedFields === undefined ? {} : { readsManagedFields }),
});

const bundle = new Map(
  [
    meta('metadata-only', ['metadata']),
    meta('reads-data', ['data', 'metadata']),
    meta('reads-all', '*'),
    meta('built-before-reads'),
    meta('all-but-managed-fields', '*', false),
    meta('metadata-not-managed-fields', ['metadata'], false),
    meta('reads-managed-fields', '*', true),
  ].map((m) => [m.id, m]),
);
const { policies } = resolvePolicies(bundle, validateConfig('t', {}));

const secret = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: 'shop' },
  type: 'Opaque',
  data: { password: 'aHVudGVyMg==' },
  stringData: { token: 'abc' },
});
const configMap: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'blob' },
  data: { big: 'x' },
  binaryData: { raw: 'AAAA' },
};

/** The review object and oldObject the wasm receives for these policies. */
function wasmInput(ids: string[], object: KubeObject | null, oldObject: KubeObject | null = null) {
  const applicable = policies.filter((p) => ids.includes(p.id));
  const r = review(object, { oldObject, operation: oldObject ? 'UPDATE' : 'CREATE' });
  const input = JSON.parse(new TextDecoder().decode(serializeInput(r.request, applicable)));
  return { object: input.review.object, oldObject: input.review.oldObject, input };
}

describe('serializeInput', () => {
  it.each([
    ['a policy reading only metadata', ['metadata-only'], { metadata: secret('db').metadata }],
    [
      'a policy reading data (and metadata), stringData still out',
      ['metadata-only', 'reads-data'],
      { metadata: secret('db').metadata, data: secret('db').data },
    ],
    ['a policy whose reads are unbounded', ['metadata-only', 'reads-all'], secret('db')],
    ['a policy from a bundle without reads', ['metadata-only', 'built-before-reads'], secret('db')],
  ])("gives a Secret's fields to the wasm as %s needs", (_, ids, want) => {
    expect(wasmInput(ids, secret('db')).object).toEqual(want);
  });

  it('leaves out a ConfigMap data and binaryData that no applicable policy reads', () => {
    expect(wasmInput(['metadata-only'], configMap).object).toEqual({ metadata: { name: 'blob' } });
  });

  it('prunes oldObject like object on an UPDATE, and keeps the rest of the request', () => {
    const { object, oldObject, input } = wasmInput(['metadata-only'], secret('new'), secret('old'));
    expect(object).toEqual({ metadata: secret('new').metadata });
    expect(oldObject).toEqual({ metadata: secret('old').metadata });
    expect(input.review.kind).toEqual({ group: '', version: 'v1', kind: 'Secret' });
    expect(input.review.operation).toBe('UPDATE');
    expect(input.policies).toEqual({ 'metadata-only': { parameters: {} } });
  });

  it('keeps a DELETE without an object as it came', () => {
    const r = review(null, { operation: 'DELETE', oldObject: secret('gone') });
    const only = policies.filter((p) => p.id === 'metadata-only');
    const input = JSON.parse(new TextDecoder().decode(serializeInput(r.request, only)));
    expect(input.review.object).toBeNull();
    expect(input.review.oldObject).toEqual({ metadata: secret('gone').metadata });
  });

  it('does not change the request it was given', () => {
    const r = review(secret('db'));
    serializeInput(
      r.request,
      policies.filter((p) => p.id === 'metadata-only'),
    );
    expect(r.request.object).toEqual(secret('db'));
  });
});

describe('metadata.managedFields', () => {
  // As the apiserver records a `kubectl apply --server-side` (bench/inputs.ts has a full one).
  const managedFields = [
    {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      time: '2026-12-02T07:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:spec': { 'f:replicas': {} } },
    },
  ];
  const deploy = (name: string): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop', labels: { app: name }, managedFields },
    spec: { replicas: 2 },
  });
  const without = (o: KubeObject): KubeObject => {
    const metadata = { ...(o.metadata as Record<string, unknown>) };
    delete metadata.managedFields;
    return { ...o, metadata } as KubeObject;
  };

  it.each([
    ['every policy records it does not read them', ['all-but-managed-fields'], false],
    [
      'every policy records it does not read them, one bounded to metadata',
      ['all-but-managed-fields', 'metadata-not-managed-fields'],
      false,
    ],
    ['one policy may read them', ['all-but-managed-fields', 'reads-managed-fields'], true],
    [
      'one policy is from a bundle built before the record (it keeps them)',
      ['all-but-managed-fields', 'reads-all'],
      true,
    ],
    ['a policy from a bundle without reads', ['built-before-reads'], true],
  ])('when %s: kept %s', (_, ids, kept) => {
    const { object, oldObject } = wasmInput(ids, deploy('new'), deploy('old'));
    expect(object).toEqual(kept ? deploy('new') : without(deploy('new')));
    expect(oldObject).toEqual(kept ? deploy('old') : without(deploy('old')));
  });

  it('leaves them out with the top-level fields no policy reads', () => {
    const { object } = wasmInput(['metadata-not-managed-fields'], deploy('new'));
    expect(object).toEqual({ metadata: without(deploy('new')).metadata });
  });

  it('does not change the request it was given', () => {
    const r = review(deploy('new'), { oldObject: deploy('old'), operation: 'UPDATE' });
    serializeInput(
      r.request,
      policies.filter((p) => p.id === 'all-but-managed-fields'),
    );
    expect(r.request.object).toEqual(deploy('new'));
    expect(r.request.oldObject).toEqual(deploy('old'));
  });

  it('keeps a metadata that is not an object as it came', () => {
    const odd = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: 'x',
    } as unknown as KubeObject;
    expect(wasmInput(['all-but-managed-fields'], odd).object).toEqual(odd);
  });
});
