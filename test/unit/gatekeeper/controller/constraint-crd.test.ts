import {
  constraintCrd,
  constraintCrdName,
  crdSchema,
  isStructural,
  owned,
} from '../../../../src/gatekeeper/controller/constraint-crd';
import { MATCH_SCHEMA } from '../../../../src/gatekeeper/match-schema';

const LABELS = {
  type: 'object',
  properties: { labels: { type: 'array', items: { type: 'string' } } },
};
type Version = { name: string; served: boolean; storage: boolean; schema: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
const versions = (crd: ReturnType<typeof constraintCrd>) => crd.spec.versions as Version[];
const parameters = (crd: ReturnType<typeof constraintCrd>) =>
  versions(crd)[0]!.schema.openAPIV3Schema.properties.spec.properties.parameters;

describe('constraintCrd', () => {
  const crd = constraintCrd({
    kind: 'K8sRequiredLabels',
    parametersSchema: LABELS,
    legacySchema: false,
  });

  it('is named and grouped as Gatekeeper names it: plural = the kind lowercased, cluster-scoped', () => {
    expect(crd.metadata.name).toBe('k8srequiredlabels.constraints.gatekeeper.sh');
    expect(constraintCrdName('K8sRequiredLabels')).toBe(crd.metadata.name);
    expect(crd.spec).toMatchObject({
      group: 'constraints.gatekeeper.sh',
      scope: 'Cluster',
      names: {
        kind: 'K8sRequiredLabels',
        listKind: 'K8sRequiredLabelsList',
        plural: 'k8srequiredlabels',
        singular: 'k8srequiredlabels',
        categories: ['constraint', 'constraints'],
      },
    });
    expect(owned(crd)).toBe(true);
    expect(owned({ ...crd, metadata: { name: 'x', labels: {} } })).toBe(false);
    // Gatekeeper's own constraint CRDs are adopted; a CRD of another group never is.
    const gatekeepers = { name: 'x', labels: { 'gatekeeper.sh/constraint': 'yes' } };
    expect(owned({ ...crd, metadata: gatekeepers })).toBe(true);
    expect(
      owned({ ...crd, metadata: gatekeepers, spec: { ...crd.spec, group: 'example.com' } }),
    ).toBe(false);
  });

  it('serves v1beta1 (stored), v1alpha1 and v1, each with a status subresource', () => {
    expect(versions(crd).map((v) => [v.name, v.served, v.storage])).toEqual([
      ['v1beta1', true, true],
      ['v1alpha1', true, false],
      ['v1', true, false],
    ]);
    for (const v of versions(crd))
      expect((v as unknown as { subresources: unknown }).subresources).toEqual({ status: {} });
  });

  it.each([
    ['a v1 structural schema, as given', LABELS, false, { ...LABELS }],
    [
      'a legacy structural schema, keeping unknown fields',
      LABELS,
      true,
      { ...LABELS, 'x-kubernetes-preserve-unknown-fields': true },
    ],
    [
      'a legacy schema without types: any parameters (Palisade checks them)',
      { properties: { labels: { items: { type: 'string' } } } },
      true,
      { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    ],
    [
      'no schema: any parameters',
      undefined,
      false,
      { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    ],
  ])('spec.parameters from %s', (_what, schema, legacySchema, expected) => {
    const c = constraintCrd({ kind: 'K', parametersSchema: schema, legacySchema });
    expect(parameters(c)).toEqual(expected);
  });
});

describe('crdSchema', () => {
  it('turns the match schema Palisade checks into a structural one', () => {
    const s = crdSchema(MATCH_SCHEMA) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(JSON.stringify(s)).not.toContain('"additionalProperties":false');
    expect(s.properties.scope).toEqual({ enum: ['*', 'Cluster', 'Namespaced'], type: 'string' });
    expect(s.properties.kinds.items.properties.apiGroups).toEqual({
      type: 'array',
      items: { type: 'string' },
    });
    expect(isStructural(s)).toBe(true);
  });
});

describe('isStructural', () => {
  it.each([
    [{ type: 'object', properties: { a: { type: 'string' } } }, true],
    [{ properties: { a: { type: 'string' } } }, false],
    [{ type: 'object', properties: { a: { items: { type: 'string' } } } }, false],
    [{ type: 'object', additionalProperties: { properties: {} } }, false],
    [
      { type: 'object', properties: { n: { 'x-kubernetes-int-or-string': true, properties: {} } } },
      true,
    ],
  ])('%j → %s', (schema, expected) => expect(isStructural(schema)).toBe(expected));
});
