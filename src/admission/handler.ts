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
    found = await snapshot.evaluator.evaluate(serializeInput(req, policies), signal);
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
