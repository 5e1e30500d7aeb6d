// Gatekeeper's own CLI, gator (.tools/bin/gator, built pinned by `bash scripts/tools.sh gator`),
// for the differential test (test/integration/gatekeeper-gator-differential.test.ts) and the
// bench's Gatekeeper case (bench/gatekeeper.ts): `gator verify -v` read back case by case,
// `gator test -o json` (each violation's message and object) and `gator bench -o json`.
// Never built here: a missing binary is an error saying how to build it.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './root';

export const GATOR_BIN = join(ROOT, '.tools', 'bin', 'gator');

/** Throws, saying how to build it, when gator is not in .tools/bin. */
export function requireGator(): string {
  if (!existsSync(GATOR_BIN)) {
    throw new Error(
      `${GATOR_BIN} is missing: build it with \`bash scripts/tools.sh gator\` (scripts/test.sh does)`,
    );
  }
  return GATOR_BIN;
}

export interface GatorRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function gator(args: string[], cwd = ROOT): Promise<GatorRun> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      requireGator(),
      args,
      { cwd, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (err as { code?: unknown }).code : 0;
        if (typeof code !== 'number') reject(err);
        else resolve({ code, stdout, stderr });
      },
    );
    // gator test reads objects from stdin when it is not a terminal: give it an empty one.
    child.stdin!.end();
  });
}

export type CaseOutcome = 'passed' | 'failed' | 'skipped';

export interface GatorTestResult {
  name: string;
  outcome: CaseOutcome;
  /** The test's own error lines (a template that does not compile, ...). */
  error?: string;
  cases: Map<string, CaseOutcome>;
}

/** suite path as gator prints it → its tests by name. */
export type GatorVerifyResults = Map<string, Map<string, GatorTestResult>>;

/**
 * Reads `gator verify -v` back (pkg/gator/verify/printer_go.go): `=== RUN`/`=== SKIP` of a test,
 * the indented RUN/SKIP/PASS/FAIL of its cases, `--- PASS|FAIL: test`, then `ok|FAIL\tPATH\t...`
 * closing the suite the preceding tests belong to.
 */
export function parseGatorVerify(out: string): GatorVerifyResults {
  const suites: GatorVerifyResults = new Map();
  let tests = new Map<string, GatorTestResult>();
  let test: GatorTestResult | undefined;
  let inTestError = false;
  for (const line of out.split('\n')) {
    let m: RegExpMatchArray | null;
    if ((m = /^=== (RUN|SKIP) {1,3}(.*)$/.exec(line))) {
      test = { name: m[2]!, outcome: m[1] === 'SKIP' ? 'skipped' : 'passed', cases: new Map() };
      tests.set(test.name, test);
      inTestError = false;
    } else if ((m = /^ {4}=== SKIP {2}(.*)$/.exec(line))) {
      test!.cases.set(m[1]!, 'skipped');
    } else if ((m = /^ {4}--- (PASS|FAIL): (.*)\t\(.*\)$/.exec(line))) {
      test!.cases.set(m[2]!, m[1] === 'PASS' ? 'passed' : 'failed');
    } else if ((m = /^--- (PASS|FAIL): (.*)\t\(.*\)$/.exec(line))) {
      // Without -v a passing test prints nothing; a failing one prints this line alone.
      test = tests.get(m[2]!) ?? { name: m[2]!, outcome: 'passed', cases: new Map() };
      tests.set(test.name, test);
      test.outcome = m[1] === 'PASS' ? 'passed' : 'failed';
      inTestError = m[1] === 'FAIL';
    } else if (inTestError && /^ {2}\S/.test(line)) {
      test!.error = [test!.error, line.trim()].filter(Boolean).join('\n');
    } else if ((m = /^(ok|FAIL)\t(.*)\t.*$/.exec(line))) {
      suites.set(m[2]!, tests);
      tests = new Map();
      test = undefined;
      inTestError = false;
    }
  }
  return suites;
}

export interface GatorViolation {
  msg: string;
  constraint: { kind: string; metadata: { name: string } };
  enforcementAction: string;
  violatingObject: {
    apiVersion: string;
    kind: string;
    metadata: { name?: string; namespace?: string };
  };
}

/** `gator test -o json` of the files: every violation, of every object among them. */
export async function gatorTest(files: readonly string[]): Promise<GatorViolation[]> {
  const run = await gator(['test', ...files.flatMap((f) => ['-f', f]), '-o', 'json']);
  // Exit 1 is "violations of deny constraints"; anything else printed to stderr is an error.
  if (run.code !== 0 && run.code !== 1) throw new Error(`gator test: ${run.stderr}`);
  const text = run.stdout.trim();
  if (run.code === 1 && !text.startsWith('[')) throw new Error(`gator test: ${run.stderr}`);
  return text === '' || text === 'null' ? [] : (JSON.parse(text) as GatorViolation[]);
}

export interface GatorBench {
  engine: string;
  templateCount: number;
  constraintCount: number;
  objectCount: number;
  iterations: number;
  totalReviews: number;
  violationCount: number;
  reviewsPerSecond: number;
  /** Microseconds per review. */
  latencyUs: { min: number; mean: number; p50: number; p95: number; p99: number; max: number };
  setupMs: number;
}

/** A Go duration ("1.402864ms", "88.824µs", "1m2.5s") in microseconds. */
export function goDurationUs(d: string): number {
  const unit: Record<string, number> = {
    ns: 1e-3,
    us: 1,
    µs: 1,
    μs: 1,
    ms: 1e3,
    s: 1e6,
    m: 6e7,
    h: 3.6e9,
  };
  let total = 0;
  for (const m of d.matchAll(/([\d.]+)(ns|us|µs|μs|ms|s|m|h)/g))
    total += Number(m[1]) * unit[m[2]!]!;
  return Math.round(total * 1000) / 1000;
}

/** `gator bench --engine rego -o json` on the files (templates, constraints and objects). */
export async function gatorBench(
  files: readonly string[],
  opts: { iterations: number; warmup?: number },
): Promise<GatorBench> {
  const args = ['bench', ...files.flatMap((f) => ['-f', f]), '--engine', 'rego', '-o', 'json'];
  args.push('--iterations', String(opts.iterations), '--warmup', String(opts.warmup ?? 10));
  const run = await gator(args);
  if (run.code !== 0) throw new Error(`gator bench exited ${run.code}: ${run.stderr}`);
  const [r] = JSON.parse(run.stdout) as Array<Record<string, unknown>>;
  const lat = r!.latencies as Record<string, string>;
  const us = (k: string) => goDurationUs(lat[k]!);
  return {
    engine: String(r!.engine),
    templateCount: Number(r!.templateCount),
    constraintCount: Number(r!.constraintCount),
    objectCount: Number(r!.objectCount),
    iterations: Number(r!.iterations),
    totalReviews: Number(r!.totalReviews),
    violationCount: Number(r!.violationCount),
    reviewsPerSecond: Number(r!.reviewsPerSecond),
    latencyUs: {
      min: us('min'),
      mean: us('mean'),
      p50: us('p50'),
      p95: us('p95'),
      p99: us('p99'),
      max: us('max'),
    },
    setupMs: goDurationUs(String(r!.setupDuration)) / 1000,
  };
}
