// The pure core: AdmissionReview in, AdmissionReview out. Knows nothing of HTTP.
import { Deadline } from '../deadline';
import { toPalisadeError, type PalisadeError } from '../errors';
import { serializeInput } from '../policy/engine';
import {
  applicablePolicies,
  exemption,
  namespaceLabelsNeeded,
  type NamespaceLabels,
} from '../policy/match';
import type { Action } from '../policy/policy-meta';
import { policyIndex, type ActiveAction } from '../policy/policy-index';
import { keepEvaluated, planCached, podSpecCache } from '../policy/pod-spec-cache';
import type { EffectivePolicy } from '../policy/policy-set';
import type { PolicySnapshot } from '../policy/snapshot';
import type { Violation } from '../policy/violation';
import { auditAnnotations, denyMessage, warningLines } from './messages';
import { allowed, denied, errored, type ReplyTo } from './response';
import type { AdmissionReviewRequest, AdmissionReviewResponse } from './types';

export type { NamespaceLabels };

export type Outcome = 'allow' | 'deny' | 'exempt' | 'error';

export interface ActedViolation extends Violation {
  action: ActiveAction;
}

export interface Decision {
  review: AdmissionReviewResponse;
  outcome: Outcome;
  /** Ids of the policies evaluated for this request. */
  evaluated: string[];
  violations: ActedViolation[];
  exemptReason?: string;
  /** Set when a namespaceSelector needed the namespace's labels and they could not be known. */
  namespaceLabelsUnknown?: true;
  error?: PalisadeError;
}

export interface HandleOptions {
  /** Where namespace labels come from; without it a namespaceSelector sees no labels. */
  namespaceLabels?: NamespaceLabels;
  /**
   * The request's deadline, started when it arrived (the server's, which also covers the wait
   * for the byte budget); without one the decision starts its own of evaluation.deadlineMs.
   */
  signal?: AbortSignal;
}

export async function handleAdmission(
  review: AdmissionReviewRequest,
  snapshot: PolicySnapshot,
  opts: HandleOptions = {},
): Promise<Decision> {
  const req = review.request;
  const to: ReplyTo = { uid: req.uid, apiVersion: review.apiVersion };
  const exempt = exemption(req, snapshot.config.exemptions);
  if (exempt) {
    return {
      review: allowed(to),
      outcome: 'exempt',
      evaluated: [],
      violations: [],
      exemptReason: exempt,
    };
  }
  const ns = opts.namespaceLabels && namespaceLabelsNeeded(snapshot.policies, req);
  // Unknown labels leave a namespaceSelector unchecked: the policy applies (fails toward
  // enforcement rather than silently skipping a policy).
  const nsLabels = ns ? await opts.namespaceLabels?.(ns) : undefined;
  const unknown = ns && !nsLabels ? { namespaceLabelsUnknown: true as const } : {};
  const policies = applicablePolicies(snapshot.policies, req, nsLabels);
  if (policies.length === 0) {
    return { review: allowed(to), outcome: 'allow', evaluated: [], violations: [], ...unknown };
  }
  const evaluated = policies.map((p) => p.id);
  let found: Violation[];
  const own = opts.signal ? undefined : new Deadline(snapshot.config.evaluation.deadlineMs);
  try {
    const signal = opts.signal ?? own!.signal;
    found = await evaluate(snapshot, req, policies, signal);
  } catch (thrown) {
    const error = toPalisadeError(thrown, 'PAL_ERR_WASM_EVAL');
    const reply = errored(to, error.message, snapshot.config.failureMode);
    return { review: reply, outcome: 'error', evaluated, violations: [], error, ...unknown };
  } finally {
    own?.dispose();
  }
  const { actions } = policyIndex(snapshot.policies);
  const violations: ActedViolation[] = [];
  for (const v of found) {
    const action = actions.get(v.policy);
    if (action) violations.push({ ...v, action });
  }
  return { ...decide(to, violations), evaluated, violations, ...unknown };
}

/**
 * The applicable policies' violations: the pod-spec cache's part (pod-spec-cache.ts), and one
 * evaluation of the rest (none when the cache served every policy). Sorted into one total order,
 * so a decision is the same whichever part the cache served: the wasm returns its set in its hash
 * table's order, which no merge can reproduce, and every reply already orders violations by
 * policy, path and message (messages.ts sortViolations), which this order refines.
 */
async function evaluate(
  snapshot: PolicySnapshot,
  req: AdmissionReviewRequest['request'],
  policies: readonly EffectivePolicy[],
  signal: AbortSignal,
): Promise<Violation[]> {
  const cache = podSpecCache(snapshot);
  const plan = cache && planCached(cache, req, policies);
  const rest = plan ? plan.evaluate : policies;
  const fresh =
    rest.length > 0
      ? await snapshot.evaluator.evaluate(serializeInput(req, rest, plan?.known), signal)
      : [];
  if (plan) keepEvaluated(cache, plan, fresh);
  return [...(plan?.served ?? []), ...fresh].sort(byContent);
}

function byContent(a: Violation, b: Violation): number {
  const ka = [a.policy, a.path, a.msg, a.fix, a.name ?? '', JSON.stringify(a.details)];
  const kb = [b.policy, b.path, b.msg, b.fix, b.name ?? '', JSON.stringify(b.details)];
  for (let i = 0; i < ka.length; i++) {
    if (ka[i]! !== kb[i]!) return ka[i]! < kb[i]! ? -1 : 1;
  }
  return 0;
}

function decide(to: ReplyTo, vs: ActedViolation[]): Pick<Decision, 'review' | 'outcome'> {
  const of = (a: Action) => vs.filter((v) => v.action === a);
  const deny = of('deny');
  const extra = {
    warnings: warningLines(of('warn')),
    auditAnnotations: auditAnnotations(of('audit')),
  };
  if (deny.length > 0) return { review: denied(to, denyMessage(deny), extra), outcome: 'deny' };
  return { review: allowed(to, extra), outcome: 'allow' };
}
