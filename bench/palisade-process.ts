// Palisade as the bench runs it: `node dist/src/main.js` on a free port, with BENCH_CONFIG (if
// set) under the settings the bench needs, written to a config file in a directory of the
// caller's.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { listenPort, PALISADE_PORT } from './listen-port';

const ROOT = join(__dirname, '..', '..');

export interface PalisadeProcess {
  proc: ChildProcess;
  port: number;
}

/** Starts Palisade and waits until it listens; stdout and stderr are left to the caller. */
export async function startPalisade(
  dir: string,
  settings: Record<string, unknown>,
): Promise<PalisadeProcess> {
  const base = process.env.BENCH_CONFIG
    ? (parseYaml(readFileSync(process.env.BENCH_CONFIG, 'utf8')) as Record<string, unknown>)
    : {};
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, toYaml({ ...base, ...settings }));
  const args = ['dist/src/main.js', '--config', configFile, '--port', '0'];
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await listenPort(proc, 'palisade', PALISADE_PORT);
  return { proc, port };
}
