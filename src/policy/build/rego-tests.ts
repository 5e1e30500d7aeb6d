// The Rego side of `palisade test` (and `npm run test:rego`), in order, stopping at the first
// step that fails:
//   1. opa check --strict against POLICIES_DIR/capabilities.json (sources, not *_test.rego): a
//      builtin the wasm bundle cannot run fails here with file:line, as it would in the build;
//   2. opa fmt: every .rego must be formatted (run `.tools/bin/opa fmt -w <dir>` to fix);
//   3. opa test over every *_test.rego plus the generated example tests (examples-test.ts).
// The policy folders are validated by the caller (discover.ts), as for the build.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyBuildError } from './build-error';
import type { Opa } from './opa';
import { allRegoFiles, regoSources } from './rego-files';

/** One result of `opa test --format=json`. */
export interface OpaTestResult {
  location?: { file?: string; row?: number };
  package?: string;
  name?: string;
  fail?: boolean;
  error?: unknown;
  skip?: boolean;
  /** print() output, base64. */
  output?: string;
}

export interface RegoTestRun {
  results: OpaTestResult[];
  /** opa test's exit code: not 0 when a test failed, or for a reason the results do not show. */
  code: number;
  /** opa test's stderr. */
  stderr: string;
  /** The generated examples module's path while opa ran (to tell its tests from the others). */
  examplesFile: string;
}

/** The work directory of a run: its name marks the generated example tests in opa's output. */
export const EXAMPLES_WORK_PREFIX = 'palisade-opa-test.';

/**
 * Runs steps 1-3. A failed check or format step is a PolicyBuildError naming the files; failing
 * tests are results (`fail` or `error`), not an exception.
 */
export async function runRegoTests(
  opa: Opa,
  policiesDir: string,
  examplesTest: string,
  capabilities: string,
  flags: readonly string[] = [],
): Promise<RegoTestRun> {
  await opaCheck(opa, policiesDir, capabilities);
  await opaFmt(opa, policiesDir);
  const work = mkdtempSync(join(tmpdir(), EXAMPLES_WORK_PREFIX));
  try {
    const examplesFile = join(work, 'examples_test.rego');
    writeFileSync(examplesFile, examplesTest);
    // The policy folders also hold policy.yaml, examples and capabilities.json: load Rego only.
    const args = ['test', '--format=json', '--ignore', '*.yaml', '--ignore', '*.yml'];
    const run = await opa.run([...args, '--ignore', '*.json', ...flags, policiesDir, examplesFile]);
    let results: unknown;
    try {
      results = JSON.parse(run.stdout);
    } catch {
      results = undefined;
    }
    if (!Array.isArray(results)) {
      // opa test stopped before testing (a compile error in a *_test.rego, a bad flag).
      const output = `${run.stdout}${run.stderr}`.split(`${work}/`).join('<generated>/');
      throw new PolicyBuildError('opa test failed', output.trimEnd().split('\n'));
    }
    return {
      results: results as OpaTestResult[],
      code: run.code,
      stderr: run.stderr,
      examplesFile,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function opaCheck(opa: Opa, dir: string, capabilities: string): Promise<void> {
  const run = await opa.run([
    'check',
    '--strict',
    '--capabilities',
    capabilities,
    ...regoSources(dir),
  ]);
  if (run.code !== 0) {
    throw new PolicyBuildError(
      'opa check failed',
      `${run.stdout}${run.stderr}`.trimEnd().split('\n'),
    );
  }
}

async function opaFmt(opa: Opa, dir: string): Promise<void> {
  const run = await opa.run(['fmt', '--list', '--fail', ...allRegoFiles(dir)]);
  if (run.code === 0) return;
  const unformatted = run.stdout.trim();
  if (!unformatted) throw new PolicyBuildError('opa fmt failed', run.stderr.trimEnd().split('\n'));
  throw new PolicyBuildError(
    `not formatted as opa fmt would (run: ${opa.path} fmt -w ${dir})`,
    unformatted.split('\n'),
  );
}
