// palisade test [dir]: the Rego tests in-process (src/policy/build/rego-tests.ts: opa check,
// opa fmt, opa test with the examples as generated Rego tests), then every examples/allowed and
// examples/denied manifest through the webhook's engine on a bundle freshly built from dir.
// Ends with `N passed, N failed`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { validateConfig } from '../../config/load';
import { PolicyBuildError } from '../../policy/build/build-error';
import { buildBundle, capabilitiesFile, validPolicies } from '../../policy/build/build-bundle';
import { examplesTestModule } from '../../policy/build/examples-test';
import type { Opa } from '../../policy/build/opa';
import { runRegoTests, type RegoTestRun } from '../../policy/build/rego-tests';
import { PolicyRuntime } from '../../policy/policy-runtime';
import { findPolicyFolders } from '../../policy/source/discover';
import { policyExamples } from '../../policy/source/examples';
import { usageError } from '../cli-error';
import { painter, type Paint } from '../color';
import { checkExample } from '../example-check';
import { colorEnabled, type CliIo } from '../io';
import { displayPath } from '../paths';
import { buildEnv, checkPoliciesDir, pinnedOpa, toolError } from './build';

export const TEST_USAGE = `Usage: palisade test [POLICIES_DIR] [--bundle DIR] [--rego] [-v]

1. opa test: after validating the folders, opa check --strict against capabilities.json and
   opa fmt, the Rego unit tests (*_test.rego) and the examples as Rego tests;
2. the engine: builds a bundle from POLICIES_DIR (or uses --bundle) and runs every
   examples/allowed and examples/denied manifest through the webhook's handler, expecting no
   violation, or exactly those of <name>.expected.json.
  POLICIES_DIR   default: policies
  --bundle DIR   use this compiled bundle instead of building one
  --rego         step 1 only (npm run test:rego)
  -v, --verbose  list every test, not only failures

Exit: 0 all passed, 1 a test failed, 2 usage or tool error.`;

interface Tally {
  passed: number;
  failed: number;
}

interface TestContext {
  dir: string;
  opa: Opa;
  io: CliIo;
  paint: Paint;
  verbose: boolean;
}

export async function testCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      bundle: { type: 'string' },
      rego: { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(`${TEST_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 1) throw usageError('test takes one policies directory');
  if (values.rego && values.bundle) throw usageError('--rego runs no bundle: drop --bundle');
  const dir = checkPoliciesDir(positionals[0] ?? 'policies');
  const paint = painter(colorEnabled(io.stdout, io.env));
  const ctx = { dir, opa: await pinnedOpa(io), io, paint, verbose: values.verbose === true };

  try {
    const opa = await opaTests(ctx);
    const engine = values.rego ? { passed: 0, failed: 0 } : await engineTests(ctx, values.bundle);
    const passed = opa.passed + engine.passed;
    const failed = opa.failed + engine.failed;
    io.stdout.write(`\n${passed} passed, ${failed} failed\n`);
    return failed > 0 ? 1 : 0;
  } catch (thrown) {
    throw toolError(thrown);
  }
}

async function opaTests({ dir, opa, io, paint, verbose }: TestContext): Promise<Tally> {
  io.stdout.write(`${paint('bold', 'opa test')} ${dir}\n`);
  let run: RegoTestRun;
  try {
    const policies = validPolicies(dir);
    const examples = examplesTestModule(dir, policies);
    run = await runRegoTests(opa, dir, examples.rego, capabilitiesFile(dir));
  } catch (thrown) {
    if (!(thrown instanceof PolicyBuildError)) throw thrown;
    // Stopped before opa test (invalid folder, opa check, opa fmt): one failure.
    io.stdout.write(
      `  ${paint('red', 'FAIL')} ${thrown.summary}\n${indent(thrown.problems.join('\n'), 4)}`,
    );
    return { passed: 0, failed: 1 };
  }
  const tally = { passed: 0, failed: 0 };
  for (const r of run.results.filter((x) => !x.skip)) {
    const name = `${(r.package ?? '').replace(/^data\./, '')}.${r.name}`;
    if (r.fail || r.error) {
      tally.failed++;
      const where =
        r.location?.file === run.examplesFile
          ? '(example)'
          : `${r.location?.file}:${r.location?.row}`;
      io.stdout.write(`  ${paint('red', 'FAIL')} ${name} ${paint('dim', where)}\n`);
      if (r.error) io.stdout.write(indent(JSON.stringify(r.error), 4));
      if (r.output) io.stdout.write(indent(Buffer.from(r.output, 'base64').toString('utf8'), 4));
    } else {
      tally.passed++;
      if (verbose) io.stdout.write(`  ${paint('green', 'ok')}   ${name}\n`);
    }
  }
  if (run.code !== 0 && tally.failed === 0) {
    io.stdout.write(`  ${paint('red', 'FAIL')} opa test ${dir}\n${indent(run.stderr, 4)}`);
    tally.failed++;
  }
  io.stdout.write(`  ${tally.passed} passed, ${tally.failed} failed\n`);
  return tally;
}

async function engineTests(ctx: TestContext, bundleFlag: string | undefined): Promise<Tally> {
  const { dir, io, paint, verbose } = ctx;
  io.stdout.write(`\n${paint('bold', 'examples through the engine')} ${dir}\n`);
  const examples = findPolicyFolders(dir).flatMap((id) => policyExamples(dir, id));
  const work = bundleFlag ? undefined : await mkdtemp(join(tmpdir(), 'palisade-test-'));
  try {
    let bundle = bundleFlag;
    if (!bundle) {
      bundle = join(work!, 'bundle');
      try {
        await buildBundle({ ...buildEnv(io.env), policiesDir: dir, outDir: bundle, opa: ctx.opa });
      } catch (thrown) {
        if (!(thrown instanceof PolicyBuildError)) throw thrown;
        io.stdout.write(
          `  ${paint('red', 'FAIL')} build ${dir}: ${examples.length} examples not run\n${indent(thrown.message, 4)}`,
        );
        return { passed: 0, failed: 1 };
      }
    }
    const runtime = await PolicyRuntime.start(
      validateConfig('palisade test', { bundle, watch: false, evaluation: { workers: 0 } }),
    );
    const tally = { passed: 0, failed: 0 };
    try {
      for (const ex of examples) {
        const outcome = await checkExample(ex, runtime.snapshot);
        const label = `${ex.policy} ${ex.expect} ${displayPath(ex.file)}`;
        if (outcome.ok) {
          tally.passed++;
          if (verbose) io.stdout.write(`  ${paint('green', 'ok')}   ${label}\n`);
        } else {
          tally.failed++;
          io.stdout.write(`  ${paint('red', 'FAIL')} ${label}\n${indent(outcome.detail ?? '', 4)}`);
        }
      }
    } finally {
      await runtime.close();
    }
    io.stdout.write(`  ${tally.passed} passed, ${tally.failed} failed\n`);
    return tally;
  } finally {
    if (work) await rm(work, { recursive: true, force: true });
  }
}

function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  const lines = text.replace(/\n+$/, '').split('\n');
  return lines[0] === '' && lines.length === 1 ? '' : `${lines.map((l) => pad + l).join('\n')}\n`;
}
