// POST /validate: the only route that knows both HTTP and admission. Decodes, hands the review
// to the pure handler, logs one decision line, and always answers an AdmissionReview once the
// body has a readable uid: a review that fails decoding, an internal error, a wait past the
// deadline are answered by the failure mode.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decodeAdmissionReview, replyAddress } from '../../admission/decode';
import { handleAdmission, type Decision } from '../../admission/handler';
import { errored } from '../../admission/response';
import type { AdmissionReviewRequest } from '../../admission/types';
import { toPalisadeError } from '../../errors';
import type { Denial } from '../../denial';
import type { ServerDeps } from '../deps';
import { deadlineOf, requestScopeHooks } from '../request-scope';

export async function validateRoute(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  const { onRequest, preParsing } = requestScopeHooks(deps);
  app.post('/validate', { onRequest, preParsing }, async (request, reply) => {
    const started = process.hrtime.bigint();
    let review: AdmissionReviewRequest;
    try {
      review = decodeAdmissionReview(request.body);
    } catch (thrown) {
      return refuse(deps, request, reply, thrown);
    }
    const req = review.request;
    // use(): a reload meanwhile must not close the evaluator this decision runs on.
    const decision = await deps.snapshots.use(async (snapshot): Promise<Decision> => {
      try {
        return await handleAdmission(review, snapshot, {
          namespaceLabels: deps.namespaceLabels,
          signal: deadlineOf(request),
        });
      } catch (thrown) {
        const error = toPalisadeError(thrown);
        const to = { uid: req.uid, apiVersion: review.apiVersion };
        return {
          review: errored(to, error.message, snapshot.config.failureMode),
          outcome: 'error',
          evaluated: [],
          violations: [],
          error,
        };
      }
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    record(deps, decision, req.operation, req.kind.kind, seconds);
    if (decision.outcome === 'deny' && req.dryRun !== true)
      deps.onDenied?.(denial(review, decision));
    request.log.info(
      {
        uid: req.uid,
        kind: req.kind.kind,
        namespace: req.namespace,
        name: req.name || req.object?.metadata?.name || req.object?.metadata?.generateName,
        operation: req.operation,
        user: req.userInfo.username,
        dryRun: req.dryRun === true,
        decision: decision.outcome,
        allowed: decision.review.response.allowed,
        policies: decision.evaluated,
        violations: decision.violations.map((v) => ({
          policy: v.policy,
          action: v.action,
          path: v.path,
        })),
        exemptReason: decision.exemptReason,
        namespaceLabels: decision.namespaceLabelsUnknown ? 'unknown' : undefined,
        error: decision.error && { code: decision.error.code, message: decision.error.message },
        durationMs: Math.round(seconds * 1e6) / 1e3,
      },
      'admission decision',
    );
    return reply.code(200).send(decision.review);
  });
}

/**
 * A body that is not a valid AdmissionReview. With a readable uid the failure mode answers it in
 * an AdmissionReview that names the problem, so kubectl shows the reason rather than "failed
 * calling webhook"; without one there is no one to answer, and the error handler sends a JSON 400.
 */
function refuse(deps: ServerDeps, request: FastifyRequest, reply: FastifyReply, thrown: unknown) {
  const to = replyAddress(request.body);
  if (!to) throw thrown;
  const error = toPalisadeError(thrown);
  const review = errored(to, error.message, deps.snapshots.snapshot.config.failureMode);
  // No operation or kind labels: they come from the body that failed to decode.
  const seconds = reply.elapsedTime / 1000;
  record(deps, { review, outcome: 'error', evaluated: [], violations: [], error }, '', '', seconds);
  request.log.info(
    {
      uid: to.uid,
      decision: 'error',
      allowed: review.response.allowed,
      error: { code: error.code, message: error.message },
    },
    'admission decision',
  );
  return reply.code(200).send(review);
}

/** What events.denials writes about a denial: who, what, which policies, and the message. */
function denial(review: AdmissionReviewRequest, d: Decision): Denial {
  const req = review.request;
  const { group, version, kind } = req.kind;
  const denying = d.violations.filter((v) => v.action === 'deny').map((v) => v.policy);
  return {
    operation: req.operation,
    apiVersion: group ? `${group}/${version}` : version,
    kind,
    name: req.name || req.object?.metadata?.name || req.object?.metadata?.generateName || '',
    namespace: req.namespace ?? '',
    user: req.userInfo.username ?? '',
    policies: [...new Set(denying)],
    message: d.review.response.status?.message ?? '',
  };
}

function record(
  deps: ServerDeps,
  d: Decision,
  operation: string,
  kind: string,
  seconds: number,
): void {
  const m = deps.metrics;
  m.requests.inc({ operation, kind, code: 200 });
  m.latency.observe({ outcome: d.outcome }, seconds);
  m.decisions.inc({ outcome: d.outcome });
  for (const v of d.violations) m.violations.inc({ policy: v.policy, action: v.action });
  if (d.error) m.errors.inc({ code: d.error.code });
}
