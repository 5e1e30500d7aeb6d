// The text a developer reads: the denial message kubectl prints after "denied the request: ",
// warning lines kubectl prints as "Warning: ...", and audit annotation values.
import type { Violation } from '../policy/violation';

/** Denial messages past this are cut with "+N more": kubectl output stays readable. */
export const MAX_DENY_ITEMS = 10;
export const MAX_DENY_CHARS = 4096;
/**
 * The apiserver docs ask for warnings of at most 120 characters where possible, and may truncate
 * past 256; 4096 in total. A longer message keeps its words up to the hard limit: a warning cut
 * mid-word ("resources.requests.memo…") tells the developer less than one that is long.
 */
export const MAX_WARNING_CHARS = 120;
export const MAX_WARNING_HARD_CHARS = 256;
export const MAX_WARNINGS_TOTAL = 4096;
export const MAX_AUDIT_VALUE_CHARS = 1024;

/** Deterministic order: policy id, then path, then message. */
export function sortViolations(vs: readonly Violation[]): Violation[] {
  const key = (v: Violation) => [v.policy, v.path, v.msg];
  return [...vs].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) {
      if (ka[i]! < kb[i]!) return -1;
      if (ka[i]! > kb[i]!) return 1;
    }
    return 0;
  });
}

/**
 * One line per violation: `[policy] path: msg. Fix: fix` (path and fix when given). A Gatekeeper
 * constraint shows its name, as Gatekeeper does (`[must-have-owner] ...`), and its message as
 * written: runbooks match Gatekeeper's text.
 */
export function describeViolation(v: Violation): string {
  const where = v.path ? ` ${v.path}:` : '';
  const fix = v.fix ? ` Fix: ${endSentence(v.fix)}` : '';
  const msg = v.name === undefined ? endSentence(v.msg) : v.msg.trim();
  return `[${label(v)}]${where} ${msg}${fix}`;
}

/** The name a message shows: a constraint's name, else the policy id. */
function label(v: Violation): string {
  return v.name ?? v.policy;
}

export function denyMessage(vs: readonly Violation[]): string {
  const sorted = sortViolations(vs);
  const policies = new Set(sorted.map((v) => v.policy)).size;
  const head =
    `${sorted.length} violation${sorted.length === 1 ? '' : 's'} of ` +
    `${policies} polic${policies === 1 ? 'y' : 'ies'}:`;
  const lines: string[] = [];
  let size = head.length;
  for (const v of sorted) {
    const line = `\n- ${describeViolation(v)}`;
    if (lines.length >= MAX_DENY_ITEMS || size + line.length > MAX_DENY_CHARS - 40) break;
    lines.push(line);
    size += line.length;
  }
  const rest = sorted.length - lines.length;
  return head + lines.join('') + (rest > 0 ? `\n+${rest} more` : '');
}

/** Warning lines: each short where possible, the whole list within the apiserver's budget. */
export function warningLines(vs: readonly Violation[]): string[] {
  const out: string[] = [];
  let total = 0;
  const sorted = sortViolations(vs);
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i]!;
    const line = warningLine(v);
    const more = `+${sorted.length - i} more warnings`;
    if (total + line.length + more.length > MAX_WARNINGS_TOTAL) {
      out.push(more);
      break;
    }
    out.push(line);
    total += line.length;
  }
  return out;
}

/** auditAnnotations: one key per policy (a valid qualified name), value its messages. */
export function auditAnnotations(vs: readonly Violation[]): Record<string, string> {
  const byPolicy = new Map<string, string[]>();
  for (const v of sortViolations(vs)) {
    const list = byPolicy.get(v.policy) ?? [];
    list.push(v.path ? `${v.path}: ${v.msg}` : v.msg);
    byPolicy.set(v.policy, list);
  }
  const out: Record<string, string> = {};
  for (const [policy, msgs] of byPolicy) {
    out[annotationKey(policy)] = truncate(msgs.join('; '), MAX_AUDIT_VALUE_CHARS);
  }
  return out;
}

function annotationKey(policy: string): string {
  const key = policy.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return (key || 'policy').slice(0, 63).replace(/[^A-Za-z0-9]+$/, '');
}

function endSentence(s: string): string {
  const t = s.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/** Warnings travel as HTTP Warning headers: no control characters. */
function sanitize(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** `[policy] msg (at path)`: the path only when it fits, the message cut only past 256. */
function warningLine(v: Violation): string {
  const base = sanitize(`[${label(v)}] ${v.msg}`);
  const withPath = v.path ? `${base} (at ${sanitize(v.path)})` : base;
  return withPath.length <= MAX_WARNING_CHARS ? withPath : truncate(base, MAX_WARNING_HARD_CHARS);
}
