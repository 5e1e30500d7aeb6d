// The effective policy set: each policy's metadata from the bundle merged with the config's
// action, parameters and match. Built once per (bundle, config) pair and swapped as a whole.
import type { Config, Match } from '../config/schema';
import type { ConstraintMatch } from './constraint-match';
import { defaultParameters, type Action, type PolicyMeta } from './policy-meta';

/** What makes a policy a Gatekeeper constraint (src/gatekeeper/policies.ts makes them). */
export interface ConstraintBinding {
  /** The ConstraintTemplate's name: its rule in the bundle (palisade.json `templates`). */
  readonly template: string;
  readonly kind: string;
  /** metadata.name: what messages show in `[name]`. */
  readonly name: string;
  /** spec.match, with Gatekeeper's semantics (constraint-match.ts) instead of `match`. */
  readonly match: ConstraintMatch;
}

export interface EffectivePolicy {
  readonly id: string;
  readonly meta: PolicyMeta;
  readonly action: Action;
  readonly parameters: Record<string, unknown>;
  readonly match: Match;
  /** Set for a Gatekeeper constraint; `match.kinds` then only narrows the kind index. */
  readonly constraint?: ConstraintBinding;
}

/**
 * Resolves every policy of the bundle against the config. Returns the problems (config entries
 * naming policies the bundle lacks) instead of throwing, so the caller can report them all.
 */
export function resolvePolicies(
  bundlePolicies: ReadonlyMap<string, PolicyMeta>,
  config: Config,
): { policies: readonly EffectivePolicy[]; problems: string[] } {
  const problems = Object.keys(config.policies)
    .filter((id) => !bundlePolicies.has(id))
    .map((id) => `policies.${id}: no such policy in the bundle`);
  const policies = [...bundlePolicies.values()]
    .map((meta): EffectivePolicy => {
      const cfg = config.policies[meta.id] ?? {};
      return Object.freeze({
        id: meta.id,
        meta,
        action: cfg.action ?? meta.action,
        parameters: { ...defaultParameters(meta), ...(cfg.parameters ?? {}) },
        match: {
          kinds: meta.match.kinds,
          operations: meta.match.operations as Match['operations'],
          ...(cfg.match ?? {}),
        },
      });
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // Frozen, each policy and the set: what is derived from them is kept by their identity
  // (policy-index.ts, policyEntry in engine.ts).
  return { policies: Object.freeze(policies), problems };
}
