// Prometheus and promtool (.tools/bin, built pinned by `bash scripts/tools.sh prometheus`), for
// the chart's alerts (test/chart/prometheusrule.test.ts) and dashboard queries
// (test/integration/dashboard-queries.test.ts). Never built here: a missing binary is an error
// saying how to build it.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './root';

export const PROMTOOL_BIN = join(ROOT, '.tools', 'bin', 'promtool');
export const PROMETHEUS_BIN = join(ROOT, '.tools', 'bin', 'prometheus');

/** Throws, saying how to build it, when `bin` is not in .tools/bin. */
export function requireTool(bin: string): string {
  if (!existsSync(bin)) {
    throw new Error(
      `${bin} is missing: build it with \`bash scripts/tools.sh prometheus\` (scripts/test.sh does)`,
    );
  }
  return bin;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs promtool; resolves with its exit code and output (a failing check is not a rejection). */
export function promtool(args: string[], cwd = ROOT): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(requireTool(PROMTOOL_BIN), args, { cwd }, (err, stdout, stderr) => {
      const code = err ? (err as { code?: unknown }).code : 0;
      if (typeof code !== 'number') reject(err);
      else resolve({ code, stdout, stderr });
    });
  });
}
