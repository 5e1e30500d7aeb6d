// Runs a pinned tool the generators need besides opa (src/policy/build/opa.ts runs that one):
// .tools/bin/helm, installed first with scripts/tools.sh (a no-op when present at the pinned
// version): the shell script does the OS work, this file only calls it.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { GenerateError } from './generate-error';

export interface ToolRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** Path of the pinned `name` under root/.tools/bin, installed if missing. */
export function pinnedTool(root: string, name: 'helm'): string {
  // Its progress (a first build takes minutes) goes to our stderr as it comes.
  const install = spawnSync('bash', [join(root, 'scripts', 'tools.sh'), name], {
    stdio: ['ignore', 2, 2],
  });
  if (install.status !== 0) {
    throw new GenerateError(
      'PAL_GEN_TOOL',
      `cannot install the pinned ${name} (scripts/tools.sh ${name} failed, see above)`,
    );
  }
  return join(root, '.tools', 'bin', name);
}

/** Runs a tool to completion; a tool that cannot start is a GenerateError. */
export function runTool(tool: string, args: readonly string[]): ToolRun {
  const r = spawnSync(tool, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) {
    throw new GenerateError('PAL_GEN_TOOL', `cannot run ${tool}: ${r.error.message}`, {
      cause: r.error,
    });
  }
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a tool and returns its stdout; a non-zero exit is a GenerateError with its stderr. */
export function toolOutput(tool: string, args: readonly string[]): string {
  const r = runTool(tool, args);
  if (r.status !== 0) {
    throw new GenerateError(
      'PAL_GEN_TOOL',
      `${tool} ${args.join(' ')} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim()}`,
    );
  }
  return r.stdout;
}
