// The snapshot of a runtime that has no verified bundle yet (a remote source whose first bundle
// has not arrived, or failed verification): one catch-all placeholder policy whose evaluation
// fails with the reason, so every request that is not exempt is answered by the failure mode
// (closed: denied naming why; open: allowed) instead of by an empty policy set that allows all.
import type { Config } from '../config/schema';
import { PalisadeError } from '../errors';
import type { Evaluator } from './engine';
import type { PolicyMeta } from './policy-meta';
import type { EffectivePolicy } from './policy-set';
import { prepareSnapshot, type PolicySnapshot } from './snapshot';

export const NO_BUNDLE_POLICY = 'palisade-no-bundle';

export function noBundleSnapshot(config: Config, reason: string): PolicySnapshot {
  const meta: PolicyMeta = {
    id: NO_BUNDLE_POLICY,
    title: 'No verified policy bundle',
    action: 'deny',
    match: {},
  };
  const policy: EffectivePolicy = Object.freeze({
    id: NO_BUNDLE_POLICY,
    meta,
    action: 'deny',
    parameters: {},
    match: {},
  });
  const evaluator: Evaluator = {
    evaluate: () => Promise.reject(new PalisadeError('PAL_ERR_BUNDLE_UNAVAILABLE', [reason])),
    close: () => Promise.resolve(),
  };
  return prepareSnapshot({ config, policies: Object.freeze([policy]), evaluator });
}
