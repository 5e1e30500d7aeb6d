// What `palisade eval` found, in the shape every formatter reads.
import type { ActedViolation, Outcome } from '../admission/handler';
import type { Operation } from '../admission/types';
import type { PolicyMeta } from '../policy/policy-meta';

/** Violation actions, weakest first; `--fail-on` picks the weakest that fails the run. */
export const LEVELS = ['audit', 'warn', 'deny'] as const;
export type Level = (typeof LEVELS)[number];

export interface ResultViolation extends ActedViolation {
  /** Line in the source file of the violation's field path (or of its deepest existing part). */
  line: number;
}

export interface ObjectResult {
  source: string;
  /** Line the object starts on in `source`. */
  line: number;
  /** The helm template it came from, from a `# Source:` comment. */
  template?: string;
  apiVersion: string;
  kind: string;
  /** Null for cluster-scoped objects. */
  namespace: string | null;
  name: string;
  operation: Operation;
  outcome: Outcome;
  allowed: boolean;
  /** The denial message kubectl prints after `denied the request: `. */
  message?: string;
  /** The warnings kubectl prints as `Warning: <line>`. */
  warnings: string[];
  auditAnnotations: Record<string, string>;
  /** Every violation found, sorted as the denial message lists them. */
  violations: ResultViolation[];
  exemptReason?: string;
  /** Why the object could not be evaluated (outcome `error`). */
  error?: string;
}

export interface Report {
  results: ObjectResult[];
  /** The policies evaluated (the SARIF rules). */
  policies: PolicyMeta[];
  failOn: Level;
  /** Whether text output may use ANSI colours (stdout is a terminal, NO_COLOR unset). */
  color: boolean;
  version: string;
}

export const atLeast = (action: Level, failOn: Level): boolean =>
  LEVELS.indexOf(action) >= LEVELS.indexOf(failOn);

/** Whether an object fails the run: a violation at or above `failOn`. */
export function fails(result: ObjectResult, failOn: Level): boolean {
  return result.violations.some((v) => atLeast(v.action, failOn));
}

/** 0 clean; 1 a violation at or above `failOn`; 2 an object could not be evaluated. */
export function exitCode(results: readonly ObjectResult[], failOn: Level): 0 | 1 | 2 {
  if (results.some((r) => r.outcome === 'error')) return 2;
  return results.some((r) => fails(r, failOn)) ? 1 : 0;
}

/** `Kind namespace/name`, `Kind name` when cluster-scoped. */
export function objectLabel(r: Pick<ObjectResult, 'kind' | 'namespace' | 'name'>): string {
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}
