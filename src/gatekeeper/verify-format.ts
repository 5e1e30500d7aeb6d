// `palisade verify` output: text as gator prints it (pkg/gator/verify/printer_go.go: go test's
// layout, `--- FAIL: name (0.012s)`, `ok <path> <time>`, PASS / FAIL) followed by the count of
// cases, or JSON. Formatters are pure functions of the results.
import { totals, type CaseResult, type SuiteResult, type TestResult } from './verify-result';

export type VerifyFormat = 'text' | 'json';
export const VERIFY_FORMATS: readonly VerifyFormat[] = ['text', 'json'];

export interface FormatOptions {
  /** gator's -v: RUN / PASS / SKIP lines for every test and case. */
  verbose: boolean;
}

export const VERIFY_FORMATTERS: Record<
  VerifyFormat,
  (results: readonly SuiteResult[], opts: FormatOptions) => string
> = {
  text: formatText,
  json: formatJson,
};

/** Go's time.Duration as gator prints it: seconds with three decimals. */
function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}

function suiteFailed(s: SuiteResult): boolean {
  return s.error !== undefined || s.tests.some(testFailed);
}

function testFailed(t: TestResult): boolean {
  return t.error !== undefined || t.cases.some(caseFailed);
}

function caseFailed(c: CaseResult): boolean {
  return !c.skipped && !c.passed;
}

export function formatText(results: readonly SuiteResult[], opts: FormatOptions): string {
  const out: string[] = [];
  for (const s of results) {
    if (s.skipped && opts.verbose) out.push(`=== SKIP  ${s.path}`);
    for (const t of s.tests) out.push(...testLines(t, opts.verbose));
    if (suiteFailed(s)) {
      out.push(`FAIL\t${s.path}\t${seconds(s.ms)}`);
      if (s.error) out.push(`  ${s.error}`);
    } else out.push(`ok\t${s.path}\t${seconds(s.ms)}`);
  }
  out.push(results.some(suiteFailed) ? 'FAIL' : 'PASS');
  const n = totals(results);
  out.push(`${n.passed} passed, ${n.failed} failed${n.skipped ? `, ${n.skipped} skipped` : ''}`);
  return `${out.join('\n')}\n`;
}

function testLines(t: TestResult, verbose: boolean): string[] {
  if (t.skipped) {
    if (t.unsupported) return [`=== SKIP  ${t.name}: unsupported: ${t.unsupported}`];
    return verbose ? [`=== SKIP  ${t.name}`] : [];
  }
  const out = verbose ? [`=== RUN   ${t.name}`] : [];
  // A test that could not run has no case results of its own to show (as gator).
  if (t.error === undefined) for (const c of t.cases) out.push(...caseLines(c, verbose));
  if (testFailed(t)) {
    out.push(`--- FAIL: ${t.name}\t(${seconds(t.ms)})`);
    if (t.error) out.push(`  ${t.error}`);
  } else if (verbose) out.push(`--- PASS: ${t.name}\t(${seconds(t.ms)})`);
  return out;
}

function caseLines(c: CaseResult, verbose: boolean): string[] {
  if (c.skipped) return verbose ? [`    === SKIP  ${c.name}`] : [];
  const out = verbose ? [`    === RUN   ${c.name}`] : [];
  if (!c.passed) out.push(`    --- FAIL: ${c.name}\t(${seconds(c.ms)})`, `        ${c.reason}`);
  else if (verbose) out.push(`    --- PASS: ${c.name}\t(${seconds(c.ms)})`);
  return out;
}

/**
 * `{"suites": [{"path", "tests": [{"name", "cases": [{"name", "passed", "reason"}]}]}]}`, with
 * `error` and `skipped` where they apply and the totals. `reason` is null for a passed case.
 */
export function formatJson(results: readonly SuiteResult[]): string {
  const n = totals(results);
  const doc = {
    suites: results.map((s) => ({
      path: s.path,
      ...(s.skipped ? { skipped: true } : {}),
      ...(s.error ? { error: s.error } : {}),
      tests: s.tests.map((t) => ({
        name: t.name,
        ...(t.skipped ? { skipped: true } : {}),
        ...(t.unsupported ? { unsupported: t.unsupported } : {}),
        ...(t.error ? { error: t.error } : {}),
        cases: t.cases.map((c) => ({
          name: c.name,
          passed: c.passed,
          reason: c.passed ? null : (c.reason ?? null),
          ...(c.skipped ? { skipped: true } : {}),
        })),
      })),
    })),
    passed: n.passed,
    failed: n.failed,
    skipped: n.skipped,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
