// Palisade's side of the Pod Security comparisons: the real compiled bundle, evaluated by the real
// engine, with only the Pod Security Standards policies switched on (action deny) at one level and
// version. Baseline is every pss-baseline-* policy; restricted adds every pss-restricted-* policy,
// as the standard defines the restricted level.
import { validateConfig } from '../../../src/config/load';
import type { KubeObject, Operation } from '../../../src/admission/types';
import { loadBundle } from '../../../src/policy/bundle';
import { InlineEvaluator, serializeInput } from '../../../src/policy/engine';
import { resolvePolicies, type EffectivePolicy } from '../../../src/policy/policy-set';
import type { Violation } from '../../../src/policy/violation';
import { review } from '../../fixtures/reviews';

export type Level = 'baseline' | 'restricted';

export interface PssEngine {
  /** PSS ids in the bundle, per level. */
  readonly ids: Record<Level, string[]>;
  /** Violations of `object` (any pod-carrying kind) at `level` and `version` ("latest", "v1.N"). */
  evaluate(
    object: KubeObject,
    level: Level,
    version?: string,
    opts?: { operation?: Operation; oldObject?: KubeObject; subResource?: string },
  ): Violation[];
}

export const BUNDLE = process.env.PALISADE_TEST_BUNDLE ?? 'dist/bundle';

export async function loadPssEngine(bundleDir = BUNDLE): Promise<PssEngine> {
  const bundle = await loadBundle(bundleDir);
  const all = [...bundle.policies.keys()];
  const ids: Record<Level, string[]> = {
    baseline: all.filter((id) => id.startsWith('pss-baseline-')).sort(),
    restricted: all.filter((id) => id.startsWith('pss-')).sort(),
  };
  if (ids.baseline.length === 0) throw new Error(`${bundleDir}: no pss-baseline-* policies`);
  const evaluator = new InlineEvaluator(bundle, { maxMemoryBytes: 256 << 20 });
  const sets = new Map<string, EffectivePolicy[]>();
  const policiesFor = (level: Level, version: string): EffectivePolicy[] => {
    const key = `${level}:${version}`;
    let set = sets.get(key);
    if (!set) {
      // Through the config, as an operator would write it: every other policy off.
      const policies = Object.fromEntries(
        all.map((id) => [
          id,
          ids[level].includes(id) ? { action: 'deny', parameters: { version } } : { action: 'off' },
        ]),
      );
      const config = validateConfig('pss-engine', { bundle: bundleDir, policies });
      set = resolvePolicies(bundle.policies, config).policies.filter((p) => p.action === 'deny');
      sets.set(key, set);
    }
    return set;
  };
  return {
    ids,
    evaluate(object, level, version = 'latest', opts = {}) {
      const req = review(object, {
        operation: opts.operation ?? 'CREATE',
        oldObject: opts.oldObject ?? null,
      }).request;
      if (opts.subResource) req.subResource = opts.subResource;
      const kind = req.kind.kind;
      const applicable = policiesFor(level, version).filter((p) =>
        (p.match.kinds ?? []).includes(kind),
      );
      return evaluator.evaluateSync(serializeInput(req, applicable));
    },
  };
}
