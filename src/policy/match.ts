// Which policies apply to one admission request: exemptions first, then each policy's match
// (kinds, operations, namespaces, namespace and label selectors). Policies with action `off`
// never apply, so they are never evaluated. What depends on the policy set alone (the policies
// by kind, whether a namespaceSelector is used) comes from its index (policy-index.ts).
import type { Config } from '../config/schema';
import { constraintMatches } from './constraint-match';
import { selectorMatches } from './label-selector';
import { wildcardMatch } from './wildcard';
import { policyIndex } from './policy-index';
import type { EffectivePolicy } from './policy-set';
import type { AdmissionRequest } from './request';

export type Labels = Record<string, string>;

/**
 * Looks up a namespace's labels; undefined when they cannot be known (no cluster access, no
 * such namespace). Never rejects.
 */
export type NamespaceLabels = (namespace: string) => Promise<Labels | undefined>;

/** The reason a request is exempt from every policy, or undefined. */
export function exemption(
  req: AdmissionRequest,
  exemptions: Config['exemptions'],
): string | undefined {
  const ns = namespaceOf(req);
  if (ns && exemptions.namespaces.some((p) => wildcardMatch(p, ns)))
    return `namespace ${ns} is exempt`;
  const user = req.userInfo.username;
  if (user && exemptions.users.some((p) => wildcardMatch(p, user))) return `user ${user} is exempt`;
  const group = (req.userInfo.groups ?? []).find((g) =>
    exemptions.groups.some((p) => wildcardMatch(p, g)),
  );
  if (group) return `group ${group} is exempt`;
  return undefined;
}

/**
 * The namespace whose labels deciding `req` needs: one that is not the object itself, named by
 * a request that some policy with a namespaceSelector could apply to. Otherwise undefined, and
 * no lookup is made.
 */
export function namespaceLabelsNeeded(
  policies: readonly EffectivePolicy[],
  req: AdmissionRequest,
): string | undefined {
  if (!req.namespace || req.kind.kind === 'Namespace') return undefined;
  return policyIndex(policies).usesNamespaceSelector ? req.namespace : undefined;
}

/** `namespaceLabels`: the labels of the request's namespace, when known. */
export function applicablePolicies(
  policies: readonly EffectivePolicy[],
  req: AdmissionRequest,
  namespaceLabels?: Labels,
): EffectivePolicy[] {
  // forKind: the active policies of the request's kind; the rest of the match is per request.
  return policyIndex(policies)
    .forKind(req.kind.kind)
    .filter((p) => matches(p, req, namespaceLabels));
}

function matches(p: EffectivePolicy, req: AdmissionRequest, nsLabels?: Labels): boolean {
  // A Gatekeeper constraint's spec.match has Gatekeeper's own semantics (constraint-match.ts).
  if (p.constraint) return constraintMatches(p.constraint.match, req, nsLabels);
  const m = p.match;
  const ops = m.operations ?? ['CREATE', 'UPDATE'];
  if (!ops.some((o) => o === '*' || o === req.operation)) return false;
  const ns = namespaceOf(req);
  if (m.namespaces?.length && !(ns && m.namespaces.some((pat) => wildcardMatch(pat, ns))))
    return false;
  if (ns && m.excludedNamespaces?.some((pat) => wildcardMatch(pat, ns))) return false;
  if (m.labelSelector && !selectorMatches(m.labelSelector, objectLabels(req))) return false;
  if (m.namespaceSelector && ns) {
    const labels = req.kind.kind === 'Namespace' ? objectLabels(req) : nsLabels;
    // Unknown labels: apply the policy rather than silently skip it (fail toward enforcement).
    if (labels && !selectorMatches(m.namespaceSelector, labels)) return false;
  }
  return true;
}

/** The namespace a request concerns; for a Namespace object, its own name. */
function namespaceOf(req: AdmissionRequest): string | undefined {
  if (req.namespace) return req.namespace;
  if (req.kind.kind === 'Namespace') return req.name || req.object?.metadata?.name;
  return undefined;
}

function objectLabels(req: AdmissionRequest): Labels {
  const obj = req.operation === 'DELETE' ? req.oldObject : req.object;
  return obj?.metadata?.labels ?? {};
}
