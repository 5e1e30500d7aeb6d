// Gatekeeper's `spec.match` of a constraint (constraints.gatekeeper.sh), with Gatekeeper's
// semantics (docs/gatekeeper.md#match): every criterion given must hold, for the object OR the
// old object (an UPDATE that moves an object out of the match is still checked, a DELETE is
// matched on what is deleted). Gatekeeper's matcher: pkg/mutation/match/match.go and
// pkg/target/matcher.go in github.com/open-policy-agent/gatekeeper.
import type { LabelSelector } from '../config/schema';
import { selectorMatches } from './label-selector';
import type { Labels } from './match';
import { wildcardMatch } from './wildcard';
import type { AdmissionRequest, KubeObject } from './request';

export interface ConstraintKinds {
  apiGroups?: string[];
  kinds?: string[];
}

export type ConstraintScope = '*' | 'Cluster' | 'Namespaced';

export interface ConstraintMatch {
  kinds?: ConstraintKinds[];
  scope?: ConstraintScope;
  namespaces?: string[];
  excludedNamespaces?: string[];
  labelSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  name?: string;
}

/**
 * Whether the constraint applies to the request. `nsLabels`: the labels of the request's
 * namespace; undefined when unknown, and then a namespaceSelector does not exclude (Palisade
 * fails toward enforcement where Gatekeeper would error).
 */
export function constraintMatches(
  m: ConstraintMatch,
  req: AdmissionRequest,
  nsLabels?: Labels,
): boolean {
  const objects = [req.object, req.oldObject].filter(isObject);
  // Neither object nor old object (a bare CONNECT): match on what the request itself names.
  if (objects.length === 0) objects.push({ metadata: { name: req.name } });
  return objects.some((obj) => matchesObject(m, req, obj, nsLabels));
}

function matchesObject(
  m: ConstraintMatch,
  req: AdmissionRequest,
  obj: KubeObject,
  nsLabels: Labels | undefined,
): boolean {
  const { group, kind } = groupKind(req, obj);
  const isNamespace = kind === 'Namespace' && group === '';
  const ns = req.namespace || obj.metadata?.namespace || '';
  // The namespace the namespaces / excludedNamespaces lists see: a Namespace's own name; none
  // for any other cluster-scoped object (those lists then do not exclude it).
  const listNs = isNamespace ? (obj.metadata?.name ?? req.name ?? '') : ns;
  if (m.kinds?.length && !m.kinds.some((k) => kindMatches(k, group, kind))) return false;
  if (m.scope === 'Cluster' && !(isNamespace || ns === '')) return false;
  if (m.scope === 'Namespaced' && (isNamespace || ns === '')) return false;
  if (m.namespaces?.length && listNs && !m.namespaces.some((p) => wildcardMatch(p, listNs))) {
    return false;
  }
  if (listNs && m.excludedNamespaces?.some((p) => wildcardMatch(p, listNs))) return false;
  const labels = obj.metadata?.labels ?? {};
  if (m.labelSelector && !selectorMatches(m.labelSelector, labels)) return false;
  if (m.namespaceSelector && (isNamespace || ns !== '')) {
    const selected = isNamespace ? labels : nsLabels;
    if (selected && !selectorMatches(m.namespaceSelector, selected)) return false;
  }
  if (m.name && !wildcardMatch(m.name, obj.metadata?.name ?? req.name ?? '')) return false;
  return true;
}

/** An entry matches when its kinds and its apiGroups each are empty, hold `*`, or the value. */
function kindMatches(k: ConstraintKinds, group: string, kind: string): boolean {
  const has = (list: string[] | undefined, v: string) =>
    !list || list.length === 0 || list.includes('*') || list.includes(v);
  return has(k.kinds, kind) && has(k.apiGroups, group);
}

/** The object's group and kind (its apiVersion and kind), else the request's. */
function groupKind(req: AdmissionRequest, obj: KubeObject): { group: string; kind: string } {
  if (typeof obj.apiVersion === 'string' && typeof obj.kind === 'string') {
    const slash = obj.apiVersion.indexOf('/');
    return { group: slash < 0 ? '' : obj.apiVersion.slice(0, slash), kind: obj.kind };
  }
  return { group: req.kind.group, kind: req.kind.kind };
}

function isObject(o: unknown): o is KubeObject {
  return o !== null && typeof o === 'object' && !Array.isArray(o);
}
