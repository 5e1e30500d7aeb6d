// What deciding a request needs of a policy set that depends on the set alone, computed once per
// set instead of once per request: the active (not off) policies by kind, each one's action, and
// whether any has a namespaceSelector. A set is an array nothing changes after it is made (a
// snapshot's policies, frozen by resolvePolicies, or a subset the CLI selects), so its index is
// kept by the array's identity: the runtime indexes a snapshot's set when it builds it, before it
// serves; a set made by the CLI or a test is indexed on first use. A changed policy is a new
// object in a new array, so an index is never stale.
import type { Action } from './policy-meta';
import type { EffectivePolicy } from './policy-set';

export type ActiveAction = Exclude<Action, 'off'>;

export interface PolicyIndex {
  /** The active policies whose kinds name `kind` (or `*`, or no kinds at all), in set order. */
  forKind(kind: string): readonly EffectivePolicy[];
  /** The action of each active policy, by id. */
  readonly actions: ReadonlyMap<string, ActiveAction>;
  /** Whether an active policy has a namespaceSelector (then namespace labels are needed). */
  readonly usesNamespaceSelector: boolean;
}

const indexes = new WeakMap<readonly EffectivePolicy[], PolicyIndex>();

/** The index of `policies`, built on the first call for this array. */
export function policyIndex(policies: readonly EffectivePolicy[]): PolicyIndex {
  let index = indexes.get(policies);
  if (!index) {
    index = buildIndex(policies);
    indexes.set(policies, index);
  }
  return index;
}

function buildIndex(policies: readonly EffectivePolicy[]): PolicyIndex {
  const active = policies.filter((p) => p.action !== 'off');
  const anyKind = (p: EffectivePolicy) => !p.match.kinds || p.match.kinds.includes('*');
  const wildcard = active.filter(anyKind);
  const byKind = new Map<string, EffectivePolicy[]>();
  for (const kind of new Set(active.flatMap((p) => p.match.kinds ?? []))) {
    if (kind === '*') continue;
    byKind.set(
      kind,
      active.filter((p) => anyKind(p) || p.match.kinds!.includes(kind)),
    );
  }
  return {
    forKind: (kind) => byKind.get(kind) ?? wildcard,
    actions: new Map(active.map((p) => [p.id, p.action as ActiveAction])),
    usesNamespaceSelector: active.some((p) => p.match.namespaceSelector !== undefined),
  };
}
