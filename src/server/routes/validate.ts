// POST /validate: the only route that knows both HTTP and admission. Decodes, hands the review
// to the pure handler, logs one decision line, and always answers an AdmissionReview once the
// body is a decodable review — an internal error is answered by the failure mode.
import type { FastifyInstance } from 'fastify';
import { decodeAdmissionReview } from '../../admission/decode';
import { handleAdmission, type Decision } from '../../admission/handler';
import { errored } from '../../admission/response';
import { toPalisadeError } from '../../errors';
import type { ServerDeps } from '../deps';

export async function validateRoute(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  app.post('/validate', async (request, reply) => {
    const started = process.hrtime.bigint();
    const review = decodeAdmissionReview(request.body);
    const req = review.request;
    const snapshot = deps.runtime.snapshot;
    let decision: Decision;
    try {
      decision = await handleAdmission(review, snapshot, { namespaceLabels: deps.namespaceLabels });
    } catch (thrown) {
      const error = toPalisadeError(thrown);
      const to = { uid: req.uid, apiVersion: review.apiVersion };
      decision = {
        review: errored(to, error.message, snapshot.config.failureMode),
        outcome: 'error',
        evaluated: [],
        violations: [],
        error,
      };
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    record(deps, decision, req.operation, req.kind.kind, seconds);
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
