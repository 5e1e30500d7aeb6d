// The shape of a constraint's spec.match (Gatekeeper's match CRD schema, pkg/target/
// match_schema.go): checked before use, so a typo fails with its field, not silently.
const STRINGS = { type: 'array', items: { type: 'string' } } as const;

const LABEL_SELECTOR = {
  type: 'object',
  additionalProperties: false,
  properties: {
    matchLabels: { type: 'object', additionalProperties: { type: 'string' } },
    matchExpressions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'operator'],
        properties: {
          key: { type: 'string' },
          operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] },
          values: STRINGS,
        },
      },
    },
  },
} as const;

export const MATCH_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    kinds: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: { apiGroups: STRINGS, kinds: STRINGS },
      },
    },
    scope: { enum: ['*', 'Cluster', 'Namespaced'] },
    namespaces: STRINGS,
    excludedNamespaces: STRINGS,
    labelSelector: LABEL_SELECTOR,
    namespaceSelector: LABEL_SELECTOR,
    name: { type: 'string' },
    // Gatekeeper's expansion (generated resources); Palisade evaluates what is admitted.
    source: { enum: ['All', 'Generated', 'Original'] },
  },
} as const;
