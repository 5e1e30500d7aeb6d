// Runs prepared AdmissionReviews through the webhook's own handler (src/admission/handler.ts)
// and keeps, per object, the decision and the exact texts the webhook would answer with.
import { handleAdmission } from '../admission/handler';
import { sortViolations } from '../admission/messages';
import type { AdmissionReviewRequest, KubeObject } from '../admission/types';
import type { ActedViolation, HandleOptions } from '../admission/handler';
import type { PolicySnapshot } from '../policy/snapshot';
import { parseFieldPath, type PathSegment } from './field-path';
import type { SourceDocument } from '../policy/source/yaml';
import type { ObjectResult, ResultViolation } from './results';

export interface EvalTarget {
  doc: SourceDocument;
  review: AdmissionReviewRequest;
  /** Where the evaluated object sits inside the document: [] for a manifest, request.object... */
  objectPath: PathSegment[];
}

export async function evaluateTargets(
  targets: readonly EvalTarget[],
  snapshot: PolicySnapshot,
  onEach: () => void = () => undefined,
  opts: HandleOptions = {},
): Promise<ObjectResult[]> {
  const out: ObjectResult[] = [];
  for (const t of targets) {
    out.push(await evaluateOne(t, snapshot, opts));
    onEach();
  }
  return out;
}

async function evaluateOne(
  t: EvalTarget,
  snapshot: PolicySnapshot,
  opts: HandleOptions,
): Promise<ObjectResult> {
  const req = t.review.request;
  const decision = await handleAdmission(t.review, snapshot, opts);
  const response = decision.review.response;
  const subject: KubeObject = req.object ?? req.oldObject ?? {};
  const located = (v: ActedViolation): ResultViolation => ({
    ...v,
    line: t.doc.locate([...t.objectPath, ...parseFieldPath(v.path)]),
  });
  return {
    source: t.doc.source,
    line: t.doc.line,
    ...(t.doc.template ? { template: t.doc.template } : {}),
    apiVersion: req.kind.group ? `${req.kind.group}/${req.kind.version}` : req.kind.version,
    kind: req.kind.kind,
    // A Namespace's UPDATE/DELETE carries its own name as request.namespace; it has none itself.
    namespace: req.kind.kind === 'Namespace' && !req.kind.group ? null : req.namespace || null,
    name: displayName(req.name, subject),
    operation: req.operation,
    outcome: decision.outcome,
    allowed: response.allowed,
    ...(response.status?.message && !response.allowed ? { message: response.status.message } : {}),
    warnings: response.warnings ?? [],
    auditAnnotations: response.auditAnnotations ?? {},
    violations: (sortViolations(decision.violations) as ActedViolation[]).map(located),
    ...(decision.exemptReason ? { exemptReason: decision.exemptReason } : {}),
    ...(decision.error ? { error: decision.error.message } : {}),
  };
}

function displayName(name: string | undefined, object: KubeObject): string {
  if (name) return name;
  const meta = object.metadata ?? {};
  if (typeof meta.name === 'string' && meta.name) return meta.name;
  if (typeof meta.generateName === 'string' && meta.generateName) return `${meta.generateName}*`;
  return '';
}
