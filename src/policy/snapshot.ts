// The snapshot a decision runs on: a config, the policies resolved from it and the bundle, and
// that bundle's evaluator. The runtime (policy-runtime.ts) swaps it as a whole on reload; the
// admission handler reads it and never changes it. What depends on the snapshot alone is worked
// out here, once, when it is built: the policies' index (policy-index.ts), each policy's
// serialized parameters (policyEntry), whether the namespace watch is needed.
import type { Config } from '../config/schema';
import { policyEntry, type Evaluator } from './engine';
import { policyIndex } from './policy-index';
import type { EffectivePolicy } from './policy-set';

/** Everything one decision needs, swapped as a whole on reload. */
export interface PolicySnapshot {
  readonly config: Config;
  readonly policies: readonly EffectivePolicy[];
  readonly evaluator: Evaluator;
}

/**
 * Computes the snapshot's per-snapshot values before it serves (a snapshot made elsewhere, by
 * the CLI or a test, gets them on first use: they are kept by identity, see policy-index.ts).
 */
export function prepareSnapshot<S extends PolicySnapshot>(snapshot: S): S {
  policyIndex(snapshot.policies);
  for (const p of snapshot.policies) policyEntry(p);
  return snapshot;
}

/**
 * kubernetes.namespaceLabels: `watch` always, `auto` while an active policy of the snapshot has
 * a namespaceSelector, `off` never. main.ts starts the watch (src/kube) when this says so.
 */
export function needsNamespaceWatch(
  snapshot: Pick<PolicySnapshot, 'config' | 'policies'>,
): boolean {
  const mode = snapshot.config.kubernetes.namespaceLabels;
  return mode === 'auto' ? policyIndex(snapshot.policies).usesNamespaceSelector : mode === 'watch';
}
