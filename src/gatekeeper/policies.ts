// Constraints as policies of a snapshot: each one an EffectivePolicy bound to its template's
// rule in the bundle, with its own parameters, match and action. Making them needs no opa:
// adding, editing or deleting a constraint is a new policy set over the same bundle
// (PolicyRuntime.setConstraints), only a template change recompiles (compile.ts).
import type { Match } from '../config/schema';
import type { ConstraintMatch } from '../policy/constraint-match';
import { READS_ALL, type PolicyMeta } from '../policy/policy-meta';
import type { EffectivePolicy } from '../policy/policy-set';
import type { Constraint } from './constraint';

export function constraintPolicy(c: Constraint): EffectivePolicy {
  const kinds = indexKinds(c.match);
  const match: Match = {
    ...(kinds ? { kinds } : {}),
    // Gatekeeper's constraints have no operations: each sees whatever the webhook is sent.
    operations: ['*'],
    // Kept here too: the snapshot then knows namespace labels are needed (policy-index.ts).
    ...(c.match.namespaceSelector ? { namespaceSelector: c.match.namespaceSelector } : {}),
  };
  const meta: PolicyMeta = {
    id: c.id,
    title: c.name,
    description: `${c.kind} constraint ${c.name} (ConstraintTemplate ${c.template})`,
    action: c.action === 'off' ? 'off' : c.action,
    match: { ...(kinds ? { kinds } : {}), operations: ['*'] },
    controls: {
      gatekeeper: { kind: c.kind, template: c.template, enforcementAction: c.enforcementAction },
    },
    // A template's reads are not derived yet: the whole object reaches it.
    reads: READS_ALL,
  };
  return Object.freeze({
    id: c.id,
    meta,
    action: c.action,
    parameters: c.parameters,
    match,
    constraint: Object.freeze({ template: c.template, kind: c.kind, name: c.name, match: c.match }),
  });
}

export function constraintPolicies(cs: readonly Constraint[]): readonly EffectivePolicy[] {
  return Object.freeze(cs.map(constraintPolicy));
}

/**
 * The kinds the policy index files the constraint under: every kind its match.kinds names, or
 * undefined (any kind) when it names none, an entry with no kinds, or `*`. The groups are
 * checked per request (constraint-match.ts).
 */
function indexKinds(m: ConstraintMatch): string[] | undefined {
  if (!m.kinds || m.kinds.length === 0) return undefined;
  const kinds = new Set<string>();
  for (const k of m.kinds) {
    if (!k.kinds || k.kinds.length === 0 || k.kinds.includes('*')) return undefined;
    for (const kind of k.kinds) kinds.add(kind);
  }
  return [...kinds].sort();
}
