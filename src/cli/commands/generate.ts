// palisade generate [--check]: writes, or checks, every file Palisade generates from its sources
// in one pass (src/policy/generate/generated-files.ts). scripts/test.sh runs --check, so a
// policy, chart or host-builtin change without regenerated files fails the tests.
import { resolve } from 'node:path';
import { ToolError } from '../../policy/build/build-error';
import { GenerateError } from '../../policy/generate/generate-error';
import {
  GENERATED,
  GENERATED_NAMES,
  renderGenerated,
  staleFiles,
  writeFiles,
  type GeneratedName,
} from '../../policy/generate/generated-files';
import { CliError, usageError } from '../cli-error';
import type { CliIo } from '../io';
import { displayPath, packageRoot } from '../paths';

/** What a stale file's message tells the developer to run (builds the CLI, then generates). */
export const REGENERATE = 'npm run generate';

export const GENERATE_USAGE = `Usage: palisade generate [--check] [--only NAMES] [--out-dir DIR]

Writes every file generated from Palisade's sources, in one pass:
${GENERATED_NAMES.map((n) => `  ${n.padEnd(14)}${GENERATED[n]}`).join('\n')}
(capabilities: the builtins a policy may call, measured with the pinned opa plus the builtins
the host provides; deploy: the chart rendered with its defaults by the pinned helm.)
  --check          write nothing; exit 1 naming each stale file
  --only NAMES     comma-separated names from the list above (default: all)
  --out-dir DIR    write or check under DIR instead of the repository
  -v, --verbose    also print what the capabilities probe measured

Exit: 0 written or current, 1 stale files (--check), 2 usage or tool error.`;

interface GenerateOptions {
  check: boolean;
  verbose: boolean;
  help: boolean;
  only: GeneratedName[];
  outDir?: string;
}

export async function generateCommand(argv: string[], io: CliIo): Promise<number> {
  const opts = parseGenerateArgs(argv);
  if (opts.help) {
    io.stdout.write(`${GENERATE_USAGE}\n`);
    return 0;
  }
  const root = packageRoot();
  const dir = resolve(opts.outDir ?? root);
  const { files, notes } = await render(root, opts.only);
  if (opts.verbose) for (const n of notes) io.stderr.write(`palisade generate: ${n}\n`);
  if (!opts.check) {
    writeFiles(dir, files);
    for (const f of files) io.stdout.write(`wrote ${displayPath(resolve(dir, f.path))}\n`);
    return 0;
  }
  const stale = staleFiles(dir, files);
  for (const f of stale) {
    io.stderr.write(
      `palisade generate: ${displayPath(resolve(dir, f.path))} is stale; regenerate it: ${REGENERATE}\n`,
    );
  }
  if (stale.length > 0) return 1;
  io.stdout.write(`${files.length} generated files are current\n`);
  return 0;
}

/** Generator failures are tool errors of the CLI (exit 2), with the generator's message. */
async function render(root: string, only: readonly GeneratedName[]) {
  try {
    return await renderGenerated(root, only);
  } catch (err) {
    if (err instanceof GenerateError || err instanceof ToolError) {
      throw new CliError('PAL_CLI_TOOL', err.message, { cause: err });
    }
    throw err;
  }
}

// By hand rather than node:util parseArgs, to name a bad argument as the other usage lines do.
function parseGenerateArgs(argv: readonly string[]): GenerateOptions {
  const opts: GenerateOptions = { check: false, verbose: false, help: false, only: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--check') opts.check = true;
    else if (a === '--verbose' || a === '-v') opts.verbose = true;
    else if (a === '--help' || a === '-h') opts.help = true;
    else if (a === '--only' || a === '--out-dir') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('-')) throw usageError(`${a} needs a value`);
      if (a === '--out-dir') opts.outDir = value;
      else opts.only.push(...onlyNames(value));
    } else throw usageError(`unknown argument ${a}`);
  }
  if (opts.only.length === 0) opts.only = [...GENERATED_NAMES];
  return opts;
}

function onlyNames(value: string): GeneratedName[] {
  return value.split(',').map((n) => {
    if (!(GENERATED_NAMES as string[]).includes(n)) {
      throw usageError(`--only: unknown file "${n}" (known: ${GENERATED_NAMES.join(', ')})`);
    }
    return n as GeneratedName;
  });
}
