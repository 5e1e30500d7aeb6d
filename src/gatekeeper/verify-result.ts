// The results of `palisade verify`, and gator's assertion semantics (pkg/gator/verify/
// assertion.go): an assertion counts the violations whose message matches its `message` regex
// (all of them without one) and compares the count with `violations`: "yes" at least one, "no"
// none, N exactly N. A case passes when every assertion holds. The reasons read as gator's.
import type { Assertion } from './suite';

export interface CaseResult {
  name: string;
  skipped: boolean;
  passed: boolean;
  /** Why it failed (an assertion, or what kept it from running). */
  reason?: string;
  /** Milliseconds, shown as gator shows durations. */
  ms: number;
}

export interface TestResult {
  name: string;
  skipped: boolean;
  /** What kept the test from running (template, constraint), or an unmet `invalid`. */
  error?: string;
  /** true when `error` means it could not run at all (exit 2) rather than a failed check. */
  broken?: boolean;
  /** Why a skipped test was not run although the suite does not skip it (expansion). */
  unsupported?: string;
  cases: CaseResult[];
  ms: number;
}

export interface SuiteResult {
  path: string;
  skipped: boolean;
  /** The suite file could not be read. */
  error?: string;
  tests: TestResult[];
  ms: number;
}

/** undefined when the assertion holds, else gator's reason. */
export function checkAssertion(a: Assertion, messages: readonly string[]): string | undefined {
  const re = a.message !== undefined ? new RegExp(a.message) : undefined;
  const matching = re ? messages.filter((m) => re.test(m)).length : messages.length;
  const containing = a.message !== undefined ? ` containing ${goQuote(a.message)}` : '';
  const got = `got ${matching} violations${containing}`;
  let want: string | undefined;
  if (a.violations === 'yes') want = matching === 0 ? 'want at least 1' : undefined;
  else if (a.violations === 'no') want = matching > 0 ? 'want none' : undefined;
  else want = matching !== a.violations ? `want exactly ${a.violations}` : undefined;
  if (want === undefined) return undefined;
  return `unexpected number of violations: ${got} but ${want}: got messages [${messages.join(' ')}]`;
}

/** The first assertion that does not hold, or undefined when all do. */
export function checkAssertions(
  assertions: readonly Assertion[],
  messages: readonly string[],
): string | undefined {
  for (const a of assertions) {
    const reason = checkAssertion(a, messages);
    if (reason) return reason;
  }
  return undefined;
}

/** Go's %q of a string, as gator prints the message regex. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

export interface Totals {
  passed: number;
  failed: number;
  skipped: number;
  /** A suite unreadable, or a test that could not run (template, constraint): exit 2. */
  broken: boolean;
}

/** Cases passed / failed / skipped; the cases of a test that could not run count as failed. */
export function totals(results: readonly SuiteResult[]): Totals {
  const t: Totals = { passed: 0, failed: 0, skipped: 0, broken: false };
  for (const s of results) {
    if (s.error) t.broken = true;
    for (const test of s.tests) {
      if (test.broken) t.broken = true;
      if (test.error && test.cases.length === 0 && !test.skipped) t.failed++;
      for (const c of test.cases) {
        if (c.skipped) t.skipped++;
        else if (c.passed) t.passed++;
        else t.failed++;
      }
    }
  }
  return t;
}

/** 0 every case passed, 1 a case (or an `invalid` expectation) failed, 2 something could not run. */
export function verifyExitCode(results: readonly SuiteResult[]): number {
  const t = totals(results);
  if (t.broken) return 2;
  return t.failed > 0 ? 1 : 0;
}
