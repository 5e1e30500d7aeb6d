// palisade build [dir]: compiles policy folders into a bundle with scripts/build-policies.sh
// (validation, opa build -t wasm with the capabilities check; opa's errors name file and line).
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CliError, usageError } from '../cli-error';
import type { CliIo } from '../io';
import { runScript } from '../run-script';

export const BUILD_USAGE = `Usage: palisade build [POLICIES_DIR] [-o OUT_DIR]

Validates the policy folders and compiles them with opa build -t wasm into a bundle
(policy.wasm, data.json, palisade.json). A builtin the wasm host cannot run fails here,
with its file and line (POLICIES_DIR/capabilities.json lists what can run).
  POLICIES_DIR     default: policies
  -o, --out DIR    default: dist/bundle

Exit: 0 built, 1 the policies do not build, 2 usage or tool error.`;

export async function buildCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(`${BUILD_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 1) throw usageError('build takes one policies directory');
  const dir = checkPoliciesDir(positionals[0] ?? 'policies');
  const out = values.out ?? 'dist/bundle';
  await ensureOpa(io);
  const run = await runScript('build-policies.sh', [dir, out], io.stderr);
  if (run.status !== 0) {
    io.stderr.write(`palisade: build failed: ${dir} does not compile (see above)\n`);
    return 1;
  }
  io.stdout.write(`built ${out} from ${dir}\n`);
  return 0;
}

/** A policies directory the scripts can use, or a usage error saying what is missing. */
export function checkPoliciesDir(dir: string): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw usageError(`${dir}: no such directory of policy folders`);
  }
  if (!existsSync(join(dir, 'capabilities.json'))) {
    throw usageError(
      `${join(dir, 'capabilities.json')} is missing: it lists the builtins the wasm bundle can run; copy Palisade's policies/capabilities.json`,
    );
  }
  return dir.replace(/\/+$/, '') || '/';
}

/** Installs the pinned opa if needed, so a failure here is a tool error, not a policy error. */
export async function ensureOpa(io: CliIo): Promise<void> {
  const run = await runScript('tools.sh', ['opa'], io.stderr);
  if (run.status !== 0)
    throw new CliError('PAL_CLI_TOOL', 'cannot install the pinned opa (scripts/tools.sh opa)');
}
