// palisade build [dir]: compiles policy folders into a bundle in-process (src/policy/build:
// validation, the aggregator, opa build -t wasm with the capabilities check, palisade.json, the
// atomic swap); opa's errors name file and line.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PolicyBuildError, ToolError } from '../../policy/build/build-error';
import { buildBundle, type BuildOptions } from '../../policy/build/build-bundle';
import { ensureOpa, type Opa } from '../../policy/build/opa';
import { CliError, usageError } from '../cli-error';
import type { CliIo, OutStream } from '../io';

export const BUILD_USAGE = `Usage: palisade build [POLICIES_DIR] [-o OUT_DIR]

Validates the policy folders and compiles them with opa build -t wasm into a bundle
(policy.wasm, data.json, palisade.json). A builtin the wasm host cannot run fails here,
with its file and line (POLICIES_DIR/capabilities.json lists what can run).
  POLICIES_DIR     default: policies
  -o, --out DIR    default: dist/bundle
Environment:
  OPA_OPTIMIZE             opa build -O level, 0 (default), 1 or 2
  SOURCE_DATE_EPOCH        seconds since 1970: palisade.json builtAt (reproducible builds)
  PALISADE_AGGREGATOR_OUT  also write the generated palisade/main.rego to this file

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
  const env = buildEnv(io.env);
  const opa = await pinnedOpa(io);
  const log = (line: string) => io.stderr.write(`palisade build: ${line}\n`);
  try {
    await buildBundle({ ...env, policiesDir: dir, outDir: out, opa, log });
  } catch (thrown) {
    if (!(thrown instanceof PolicyBuildError)) throw toolError(thrown);
    writeBuildFailure(thrown, io.stderr);
    io.stderr.write(`palisade: build failed: ${dir} does not compile (see above)\n`);
    return 1;
  }
  io.stdout.write(`built ${out} from ${dir}\n`);
  return 0;
}

/** The problems, each on its line as it names its file, then what failed. */
export function writeBuildFailure(err: PolicyBuildError, stream: OutStream): void {
  for (const p of err.problems) stream.write(`${p}\n`);
  stream.write(`palisade build: error: ${err.summary}\n`);
}

/** A policies directory the build can use, or a usage error saying what is missing. */
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

/** The build settings the environment gives (OPA_OPTIMIZE, SOURCE_DATE_EPOCH, ...). */
export function buildEnv(
  env: NodeJS.ProcessEnv,
): Pick<BuildOptions, 'optimize' | 'builtAt' | 'aggregatorOut'> {
  const out: Pick<BuildOptions, 'optimize' | 'builtAt' | 'aggregatorOut'> = {};
  if (env.OPA_OPTIMIZE) {
    if (!/^[0-2]$/.test(env.OPA_OPTIMIZE)) {
      throw usageError(`OPA_OPTIMIZE must be 0, 1 or 2, not "${env.OPA_OPTIMIZE}"`);
    }
    out.optimize = Number(env.OPA_OPTIMIZE);
  }
  if (env.SOURCE_DATE_EPOCH) {
    if (!/^\d+$/.test(env.SOURCE_DATE_EPOCH)) {
      throw usageError(
        `SOURCE_DATE_EPOCH must be seconds since 1970, not "${env.SOURCE_DATE_EPOCH}"`,
      );
    }
    out.builtAt = new Date(Number(env.SOURCE_DATE_EPOCH) * 1000);
  }
  if (env.PALISADE_AGGREGATOR_OUT) out.aggregatorOut = env.PALISADE_AGGREGATOR_OUT;
  return out;
}

/** The pinned opa, installed if needed, so a failure here is a tool error, not a policy error. */
export async function pinnedOpa(io: CliIo): Promise<Opa> {
  try {
    return await ensureOpa((text) => io.stderr.write(text));
  } catch (thrown) {
    throw toolError(thrown);
  }
}

/** Anything but a policy problem ends the command with exit 2. */
export function toolError(thrown: unknown): unknown {
  if (thrown instanceof ToolError)
    return new CliError('PAL_CLI_TOOL', thrown.message, { cause: thrown });
  return thrown;
}
