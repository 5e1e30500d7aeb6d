// The evaluation input carries only the object fields the applicable policies can read (their
// palisade.json `reads`): a Secret's data and a ConfigMap's binaryData stay out of the wasm unless
// a policy reads them.
import type { KubeObject } from '../../../src/admission/types';
import { validateConfig } from '../../../src/config/load';
import { serializeInput } from '../../../src/policy/engine';
import type { PolicyMeta } from '../../../src/policy/policy-meta';
import { resolvePolicies } from '../../../src/policy/policy-set';
import { review } from '../../fixtures/reviews';

const meta = (id: string, reads?: PolicyMeta['reads']): PolicyMeta => ({
  id,
  title: id,
  action: 'deny',
  match: { kinds: ['Secret', 'ConfigMap'], operations: ['CREATE', 'UPDATE'] },
  parameters: { properties: {} },
  ...(reads === undefined ? {} : { reads }),
});

const bundle = new Map(
  [
    meta('metadata-only', ['metadata']),
    meta('reads-data', ['data', 'metadata']),
    meta('reads-all', '*'),
    meta('built-before-reads'),
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
