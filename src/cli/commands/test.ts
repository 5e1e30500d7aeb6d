// palisade test [dir]: the Rego unit tests (scripts/opa-test.sh: validation, opa check, opa fmt,
// opa test), then every examples/allowed and examples/denied manifest through the webhook's
// engine on a bundle freshly built from dir. Ends with `N passed, N failed`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { validateConfig } from '../../config/load';
import { PolicyRuntime } from '../../policy/policy-runtime';
import { usageError } from '../cli-error';
import { painter, type Paint } from '../color';
import { checkExample } from '../example-check';
import { colorEnabled, type CliIo } from '../io';
import { policyExamples } from '../policy-examples';
import { displayPath } from '../paths';
import { runScript } from '../run-script';
import { checkPoliciesDir, ensureOpa } from './build';
import { readdirSync } from 'node:fs';

export const TEST_USAGE = `Usage: palisade test [POLICIES_DIR] [--bundle DIR] [-v]

1. opa test: the Rego unit tests (*_test.rego) and the examples as Rego tests, after validating
   the folders, opa check against capabilities.json and opa fmt (scripts/opa-test.sh);
2. the engine: builds a bundle from POLICIES_DIR (or uses --bundle) and runs every
   examples/allowed and examples/denied manifest through the webhook's handler, expecting no
   violation, or exactly those of <name>.expected.json.
  POLICIES_DIR   default: policies
  --bundle DIR   use this compiled bundle instead of building one
  -v, --verbose  list every test, not only failures

Exit: 0 all passed, 1 a test failed, 2 usage or tool error.`;

interface Tally {
  passed: number;
  failed: number;
}

export async function testCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      bundle: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(`${TEST_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 1) throw usageError('test takes one policies directory');
  const dir = checkPoliciesDir(positionals[0] ?? 'policies');
  const paint = painter(colorEnabled(io.stdout, io.env));
  const verbose = values.verbose === true;
  await ensureOpa(io);

  const opa = await opaTests(dir, io, paint, verbose);
  const engine = await engineTests(dir, values.bundle, io, paint, verbose);
  const passed = opa.passed + engine.passed;
  const failed = opa.failed + engine.failed;
  io.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}

interface OpaResult {
  location?: { file?: string; row?: number };
  package?: string;
  name?: string;
  fail?: boolean;
  error?: unknown;
  skip?: boolean;
  output?: string;
}

async function opaTests(dir: string, io: CliIo, paint: Paint, verbose: boolean): Promise<Tally> {
  io.stdout.write(`${paint('bold', 'opa test')} ${dir}\n`);
  const run = await runScript('opa-test.sh', [dir, '--format=json'], io.stderr, {
    echoStderr: false,
  });
  let results: OpaResult[];
  try {
    results = JSON.parse(run.stdout) as OpaResult[];
    if (!Array.isArray(results)) throw new Error('not a list');
  } catch {
    // The script stopped before opa test (invalid folder, opa check, opa fmt): one failure.
    io.stdout.write(
      `  ${paint('red', 'FAIL')} scripts/opa-test.sh ${dir}\n${indent(run.stderr, 4)}`,
    );
    return { passed: 0, failed: 1 };
  }
  const tally = { passed: 0, failed: 0 };
  for (const r of results.filter((x) => !x.skip)) {
    const name = `${(r.package ?? '').replace(/^data\./, '')}.${r.name}`;
    if (r.fail || r.error) {
      tally.failed++;
      const where = r.location?.file?.includes('palisade-opa-test')
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
  if (run.status !== 0 && tally.failed === 0) {
    io.stdout.write(
      `  ${paint('red', 'FAIL')} scripts/opa-test.sh ${dir}\n${indent(run.stderr, 4)}`,
    );
    tally.failed++;
  }
  io.stdout.write(`  ${tally.passed} passed, ${tally.failed} failed\n`);
  return tally;
}

async function engineTests(
  dir: string,
  bundleFlag: string | undefined,
  io: CliIo,
  paint: Paint,
  verbose: boolean,
): Promise<Tally> {
  io.stdout.write(`\n${paint('bold', 'examples through the engine')} ${dir}\n`);
  const ids = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== 'lib' && !/^[._]/.test(e.name))
    .map((e) => e.name)
    .sort();
  const examples = ids.flatMap((id) => policyExamples(dir, id));
  const work = bundleFlag ? undefined : await mkdtemp(join(tmpdir(), 'palisade-test-'));
  try {
    let bundle = bundleFlag;
    if (!bundle) {
      bundle = join(work!, 'bundle');
      const build = await runScript('build-policies.sh', [dir, bundle], io.stderr, {
        echoStderr: false,
      });
      if (build.status !== 0) {
        io.stdout.write(
          `  ${paint('red', 'FAIL')} build ${dir}: ${examples.length} examples not run\n${indent(build.stderr, 4)}`,
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
