// Building the reports of one scope from its stored results (pure: no cluster). OpenReports
// openreports.io/v1alpha1 Report (a namespace) or ClusterReport (cluster-scoped objects); the
// same shape as wgpolicyk8s.io/v1alpha2 PolicyReport / ClusterPolicyReport, from which
// OpenReports was forked, so one builder serves both (field names checked against the CRDs of
// github.com/openreports/reports-api v0.2.1, config/crd: results[].resources, not subjects;
// properties are strings).
//
// Size: etcd refuses objects over 1.5 MiB (--max-request-bytes), so a scope's results are cut
// into reports of at most maxResultsPerReport results, named deterministically (palisade-audit,
// palisade-audit-2, ...), one object's results kept in one report where they fit.
import type { ObjectRef, PolicyResult, ResultKind } from './object-audit';
import { CLUSTER, type StoredAudit } from './result-store';

export const SOURCE = 'palisade';
export const REPORT_NAME = 'palisade-audit';
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'palisade' } as const;
export const PART_LABEL = 'palisade.dev/report-part';

export type Flavour = 'openreports' | 'wgpolicy';

/** Group, version, kind and plural of a flavour's namespaced and cluster report. */
export const REPORT_KINDS: Record<
  Flavour,
  { group: string; version: string; namespaced: KindName; cluster: KindName }
> = {
  openreports: {
    group: 'openreports.io',
    version: 'v1alpha1',
    namespaced: { kind: 'Report', plural: 'reports' },
    cluster: { kind: 'ClusterReport', plural: 'clusterreports' },
  },
  wgpolicy: {
    group: 'wgpolicyk8s.io',
    version: 'v1alpha2',
    namespaced: { kind: 'PolicyReport', plural: 'policyreports' },
    cluster: { kind: 'ClusterPolicyReport', plural: 'clusterpolicyreports' },
  },
};

interface KindName {
  kind: string;
  plural: string;
}

export type Summary = Record<ResultKind, number>;

export interface ReportResult {
  source: string;
  policy: string;
  result: ResultKind;
  severity: string;
  scored: boolean;
  message: string;
  timestamp: { seconds: number; nanos: number };
  resources: ObjectRef[];
  properties: Record<string, string>;
}

export interface ReportObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  source: string;
  summary: Summary;
  results: ReportResult[];
}

/**
 * The reports of `scope` (a namespace, or CLUSTER) from its objects' results, in name order;
 * none when the scope has no results (its reports are then deleted).
 */
export function buildReports(
  scope: string,
  entries: readonly StoredAudit[],
  maxResults: number,
  flavour: Flavour = 'openreports',
): ReportObject[] {
  const chunks = chunkResults(entries, maxResults);
  const kinds = REPORT_KINDS[flavour];
  const kind = scope === CLUSTER ? kinds.cluster.kind : kinds.namespaced.kind;
  const parts = flavour === 'wgpolicy' ? chunks.map((c) => c.map(wgpolicySeverity)) : chunks;
  return parts.map((results, i) => ({
    apiVersion: `${kinds.group}/${kinds.version}`,
    kind,
    metadata: {
      name: reportName(i),
      ...(scope === CLUSTER ? {} : { namespace: scope }),
      labels: { ...MANAGED_BY, [PART_LABEL]: String(i + 1) },
    },
    source: SOURCE,
    summary: summarize(results),
    results,
  }));
}

/** The name of the report holding part `index` (0-based) of a scope's results. */
export function reportName(index: number): string {
  return index === 0 ? REPORT_NAME : `${REPORT_NAME}-${index + 1}`;
}

/** Counts per result kind, every kind present (kubectl's columns show 0, not blank). */
export function summarize(results: readonly { result: ResultKind }[]): Summary {
  const s: Summary = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  for (const r of results) s[r.result]++;
  return s;
}

/**
 * The scope's results cut into parts of at most `max`: an object's results start a new part
 * when they would not fit in the current one (an object with more than `max` results is cut).
 */
function chunkResults(entries: readonly StoredAudit[], max: number): ReportResult[][] {
  const parts: ReportResult[][] = [];
  let part: ReportResult[] = [];
  for (const entry of entries) {
    const results = entry.results.map((r) => reportResult(entry, r));
    if (part.length > 0 && part.length + results.length > max) {
      parts.push(part);
      part = [];
    }
    for (const r of results) {
      if (part.length === max) {
        parts.push(part);
        part = [];
      }
      part.push(r);
    }
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

function reportResult(entry: StoredAudit, r: PolicyResult): ReportResult {
  const properties: Record<string, string> = { action: r.action };
  if (r.path) properties.path = r.path;
  if (r.fix) properties.fix = r.fix;
  if (r.controls) properties.controls = JSON.stringify(r.controls);
  return {
    source: SOURCE,
    policy: r.policy,
    result: r.result,
    severity: r.severity,
    // A warn result is not scored: OpenReports' "non-scored policies whose requirements were
    // not met".
    scored: r.result !== 'warn',
    message: r.message,
    timestamp: { seconds: entry.since, nanos: 0 },
    resources: [entry.ref],
    properties,
  };
}

/**
 * wgpolicyk8s.io/v1alpha2's severity enum has only high, medium and low (its CRD refuses the
 * others): critical becomes high, info low. OpenReports added critical and info.
 */
function wgpolicySeverity(r: ReportResult): ReportResult {
  if (r.severity === 'critical') return { ...r, severity: 'high' };
  if (r.severity === 'info') return { ...r, severity: 'low' };
  return r;
}
