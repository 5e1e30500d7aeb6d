// The compliance report: frameworks → controls → the policies implementing each → pass / fail
// counts → the failing objects with path, message and fix. `--format json` prints exactly this
// object; docs/compliance.md documents it field by field, so a change here is a change there.
import type { ActiveAction } from '../../policy/policy-index';
import type { CatalogueControl, FrameworkId } from './catalogue';

export const REPORT_KIND = 'ComplianceReport';
export const REPORT_API_VERSION = 'palisade.dev/v1alpha1';

/**
 * fail: an implementing policy found a violation on an object; error: no failure, but an object
 * could not be evaluated; pass: objects were checked and none failed; no-objects: covered, but
 * no object the policies match was seen; not-covered: no enabled policy implements it.
 */
export type ControlStatus = 'pass' | 'fail' | 'error' | 'no-objects' | 'not-covered';
export const CONTROL_STATUSES: readonly ControlStatus[] = [
  'fail',
  'error',
  'pass',
  'no-objects',
  'not-covered',
];

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  /** Null for a cluster-scoped object. */
  namespace: string | null;
  name: string;
  /** Where it was read: `file:line` for manifests; absent for a cluster. */
  source?: string;
}

export interface Counts {
  /** Objects the control's (or policy's) policies checked with no violation. */
  pass: number;
  /** Objects with at least one violation. */
  fail: number;
  /** Objects that could not be evaluated. */
  error: number;
}

export interface Failure {
  object: ObjectRef;
  policy: string;
  action: ActiveAction;
  message: string;
  path?: string;
  fix?: string;
}

export interface PolicyRef {
  id: string;
  title: string;
  action: ActiveAction;
}

/** A catalogue control (id, title, level, section, since, description) and what was found. */
export interface ControlReport extends CatalogueControl {
  /** False for a control a policy names that the catalogue does not list. */
  catalogued: boolean;
  status: ControlStatus;
  policies: PolicyRef[];
  objects: Counts;
  /** One entry per violation (the first maxFailures found), sorted by namespace, kind, name, policy. */
  failures: Failure[];
  /** Violations past the limit (--max-failures): counted in `objects`, not listed. */
  failuresOmitted: number;
}

export interface FrameworkSummary {
  controls: number;
  passing: number;
  failing: number;
  error: number;
  noObjects: number;
  notCovered: number;
}

export interface FrameworkReport {
  id: FrameworkId;
  name: string;
  version: string;
  source: string;
  summary: FrameworkSummary;
  controls: ControlReport[];
}

export interface PolicyReport extends PolicyRef {
  severity?: string;
  controls: { framework: FrameworkId; id: string }[];
  objects: Counts;
}

export interface ReportSource {
  /** manifests: files and directories; cluster: listed through a kubeconfig. */
  type: 'manifests' | 'cluster';
  /** The files and directories read, or the cluster's server URL. */
  inputs: string[];
  /** cluster: the kubeconfig context. */
  context?: string;
}

export interface ComplianceReport {
  apiVersion: typeof REPORT_API_VERSION;
  kind: typeof REPORT_KIND;
  /** ISO 8601. */
  generatedAt: string;
  palisadeVersion: string;
  source: ReportSource;
  totals: {
    /** Every object read. */
    objects: number;
    /** Objects at least one enabled policy applies to. */
    evaluated: number;
    /** Objects the config's exemptions exempt (not counted under any control). */
    exempt: number;
    /** Objects that could not be evaluated. */
    errors: number;
    /** Objects failing at least one control. */
    failing: number;
  };
  /** Every namespace of the objects read, sorted; cluster-scoped objects have none. */
  namespaces: string[];
  frameworks: FrameworkReport[];
  /** The enabled policies (action deny, warn or audit), with the controls each implements. */
  policies: PolicyReport[];
  /** Things worth knowing: e.g. a policy naming a framework Palisade has no catalogue for. */
  notes: string[];
}

/** A control's title where it adds to its id (an NSA id already ends with its section's title). */
export function shownTitle(c: Pick<ControlReport, 'id' | 'title'>): string {
  return c.id === c.title || c.id.endsWith(`: ${c.title}`) ? '' : c.title;
}

/** `1 object`, `2 objects`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
