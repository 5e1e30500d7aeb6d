// The CustomResourceDefinition of a template's constraints, as Gatekeeper makes it: group
// constraints.gatekeeper.sh, cluster-scoped, plural = the kind lowercased, categories
// constraint/constraints, versions v1beta1 (stored), v1alpha1 and v1 (served; the versions
// Palisade reads, src/gatekeeper/constraint.ts), spec.match,
// spec.enforcementAction, spec.parameters from the template's openAPIV3Schema, a status
// subresource. https://open-policy-agent.github.io/gatekeeper/website/docs/constrainttemplates
import type { CustomResourceDefinition } from '../../kube/crds';
import { CONSTRAINT_GROUP } from '../constraint';
import { MATCH_SCHEMA } from '../match-schema';

export const CONSTRAINT_VERSION = 'v1beta1';
/** Labels of every CRD Palisade makes; `owned()` tells them from CRDs another tool made. */
export const CRD_LABELS = {
  'gatekeeper.sh/constraint': 'yes',
  'app.kubernetes.io/managed-by': 'palisade',
} as const;

export interface ConstraintKind {
  /** spec.crd.spec.names.kind */
  kind: string;
  shortNames?: string[];
  /** spec.crd.spec.validation.openAPIV3Schema */
  parametersSchema?: object;
  /** spec.crd.spec.validation.legacySchema (v1beta1 templates: true unless set). */
  legacySchema: boolean;
}

export const constraintPlural = (kind: string) => kind.toLowerCase();
export const constraintCrdName = (kind: string) => `${constraintPlural(kind)}.${CONSTRAINT_GROUP}`;

/**
 * A CRD Palisade may update or delete: one it made, or a constraint CRD Gatekeeper made
 * (labelled gatekeeper.sh/constraint), adopted when moving from Gatekeeper (which start has
 * checked is gone). Any other CRD of that name is left alone.
 */
export function owned(crd: CustomResourceDefinition): boolean {
  const labels = crd.metadata.labels ?? {};
  if (labels['app.kubernetes.io/managed-by'] === 'palisade') return true;
  return labels['gatekeeper.sh/constraint'] === 'yes' && crd.spec.group === CONSTRAINT_GROUP;
}

export function constraintCrd(c: ConstraintKind): CustomResourceDefinition {
  const schema = {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: {
        type: 'object',
        properties: {
          enforcementAction: { type: 'string' },
          scopedEnforcementActions: {
            type: 'array',
            items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          },
          match: crdSchema(MATCH_SCHEMA),
          parameters: parametersSchema(c),
        },
      },
      // Written by every replica (byPod) and by the audit: free-form, as Gatekeeper's.
      status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
  };
  const version = (name: string, storage: boolean) => ({
    name,
    served: true,
    storage,
    schema: { openAPIV3Schema: schema },
    subresources: { status: {} },
    additionalPrinterColumns: [
      { name: 'enforcement-action', type: 'string', jsonPath: '.spec.enforcementAction' },
      { name: 'total-violations', type: 'integer', jsonPath: '.status.totalViolations' },
    ],
  });
  const plural = constraintPlural(c.kind);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: constraintCrdName(c.kind), labels: { ...CRD_LABELS } },
    spec: {
      group: CONSTRAINT_GROUP,
      scope: 'Cluster',
      names: {
        kind: c.kind,
        listKind: `${c.kind}List`,
        plural,
        singular: plural,
        categories: ['constraint', 'constraints'],
        ...(c.shortNames?.length ? { shortNames: c.shortNames } : {}),
      },
      versions: [version('v1beta1', true), version('v1alpha1', false), version('v1', false)],
    },
  };
}

/**
 * spec.parameters: the template's schema when it is structural (the apiserver then refuses bad
 * parameters at `kubectl apply`); a legacy (v1beta1) schema also keeps unknown fields, as
 * Gatekeeper does. A non-structural legacy schema cannot be a CRD schema: any parameters are
 * stored, and Palisade's own check of them (src/gatekeeper/constraint.ts) reports the bad ones.
 */
function parametersSchema(c: ConstraintKind): object {
  const open = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const s = c.parametersSchema as Record<string, unknown> | undefined;
  if (!s || Object.keys(s).length === 0) return open;
  const root = { type: 'object', ...s };
  if (!isStructural(root)) {
    // v1 requires a structural schema; the apiserver's error then names the field.
    return c.legacySchema ? open : root;
  }
  return c.legacySchema ? { ...root, 'x-kubernetes-preserve-unknown-fields': true } : root;
}

/** Every node that has properties, items or additionalProperties says its type. */
export function isStructural(node: unknown): boolean {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return true;
  const n = node as Record<string, unknown>;
  const nested = ['properties', 'items', 'additionalProperties'].some((k) => k in n);
  if (nested && typeof n.type !== 'string' && n['x-kubernetes-int-or-string'] !== true)
    return false;
  const children = [
    ...Object.values((n.properties as Record<string, unknown>) ?? {}),
    n.items,
    typeof n.additionalProperties === 'object' ? n.additionalProperties : undefined,
  ];
  return children.every(isStructural);
}

/**
 * A JSON schema Palisade checks with ajv, as a structural CRD schema: the apiserver refuses
 * `additionalProperties: false` beside `properties`, and an `enum` without its `type`.
 */
export function crdSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(crdSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'additionalProperties' && v === false) continue;
    if (k === 'properties') {
      out[k] = Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, crdSchema(s)]));
    } else out[k] = typeof v === 'object' ? crdSchema(v) : v;
  }
  const values = (node as { enum?: unknown[] }).enum;
  if (!('type' in out) && values?.every((e) => typeof e === 'string')) out.type = 'string';
  return out;
}
