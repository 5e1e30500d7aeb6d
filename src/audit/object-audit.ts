// THE per-object evaluation of the audit (and of `palisade report`): one stored object is sent
// through handleAdmission as the CREATE request the apiserver would have sent for it
// (manifestRequest, the one manifest → request), on the same snapshot (engine, config,
// exemptions) admission uses, and the decision becomes one result per applicable policy.
//
// Exemptions: an exempt namespace is honoured exactly as in admission (no result at all). An
// existing object has no requesting user (the apiserver keeps no creator), so the request carries
// the audit's own identity, AUDIT_USER with the group system:authenticated: a user or group
// exemption that covers that identity (a `*`, or system:authenticated) exempts the audit too, as
// it would exempt every request; an exemption naming one user cannot be traced to objects and is
// not applied (Gatekeeper's and Kyverno's audits do the same).
import { handleAdmission, type ActedViolation, type HandleOptions } from '../admission/handler';
import type { ActiveAction } from '../policy/policy-index';
import type { PolicySnapshot } from '../policy/snapshot';
import type { KubeObject } from '../policy/request';
import type { KindInfo } from '../policy/source/kinds';
import { manifestRequest } from '../policy/source/manifest-request';

/** The identity audit requests carry (no user wrote the object in the audit's presence). */
export const AUDIT_USER = 'system:palisade:audit';

/** An OpenReports result: pass, fail (deny and audit actions), warn (warn action), error, skip. */
export type ResultKind = 'pass' | 'fail' | 'warn' | 'error' | 'skip';

/** OpenReports' severity enum. */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/** The object a result is about (an OpenReports `resources[]` entry, a core ObjectReference). */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid: string;
}

/** One policy's verdict on one object (a failing policy gives one per violation). */
export interface PolicyResult {
  policy: string;
  result: ResultKind;
  /** The policy's action in force (pass results too). */
  action: ActiveAction;
  severity: Severity;
  /** The violation's message, or the policy's title for a pass, or the error. */
  message: string;
  /** Field path in the object, when the policy names one. */
  path?: string;
  fix?: string;
  /** The policy's controls (pss, cis, nsa), from its metadata. */
  controls?: Record<string, unknown>;
}

export interface ObjectAudit {
  ref: ObjectRef;
  /** Undefined when the object is evaluated; the reason when it is exempt (then no results). */
  exempt?: string;
  results: PolicyResult[];
}

/**
 * Evaluates `object` (of `kind`) as admission would on its CREATE. `opts.namespaceLabels` is the
 * same lookup the webhook uses for namespaceSelector. Never rejects on an evaluation failure:
 * that is an `error` result per applicable policy.
 */
export async function auditObject(
  object: KubeObject,
  kind: KindInfo,
  snapshot: PolicySnapshot,
  opts: HandleOptions = {},
): Promise<ObjectAudit> {
  const request = manifestRequest(object, kind, {
    operation: 'CREATE',
    username: AUDIT_USER,
    groups: [],
    uid: typeof object.metadata?.uid === 'string' ? object.metadata.uid : 'audit',
  });
  const ref = objectRef(object, kind);
  const decision = await handleAdmission(
    { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request },
    snapshot,
    opts,
  );
  if (decision.outcome === 'exempt') return { ref, exempt: decision.exemptReason, results: [] };
  const byId = new Map(snapshot.policies.map((p) => [p.id, p]));
  const results: PolicyResult[] = [];
  for (const id of decision.evaluated) {
    const policy = byId.get(id);
    if (!policy || policy.action === 'off') continue;
    const base = {
      policy: id,
      action: policy.action,
      severity: severityOf(policy.meta.severity),
      ...(policy.meta.controls ? { controls: policy.meta.controls } : {}),
    };
    if (decision.outcome === 'error') {
      results.push({ ...base, result: 'error', message: decision.error?.message ?? 'error' });
      continue;
    }
    const mine = decision.violations.filter((v) => v.policy === id);
    if (mine.length === 0) results.push({ ...base, result: 'pass', message: policy.meta.title });
    for (const v of mine) results.push({ ...base, ...violationResult(v) });
  }
  return { ref, results };
}

function violationResult(v: ActedViolation): Pick<PolicyResult, 'result' | 'message'> & {
  path?: string;
  fix?: string;
} {
  return {
    result: v.action === 'warn' ? 'warn' : 'fail',
    message: v.msg,
    ...(v.path ? { path: v.path } : {}),
    ...(v.fix ? { fix: v.fix } : {}),
  };
}

const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** A policy's severity as OpenReports names it; unknown or absent: medium. */
export function severityOf(severity: string | undefined): Severity {
  const s = severity?.toLowerCase() as Severity | undefined;
  return s && SEVERITIES.includes(s) ? s : 'medium';
}

/** The object's reference as a report names it. */
export function objectRef(object: KubeObject, kind: KindInfo): ObjectRef {
  const md = object.metadata ?? {};
  const apiVersion = kind.group ? `${kind.group}/${kind.version}` : kind.version;
  return {
    apiVersion,
    kind: kind.kind,
    name: String(md.name ?? ''),
    ...(kind.namespaced && md.namespace ? { namespace: String(md.namespace) } : {}),
    uid: String(md.uid ?? ''),
  };
}
