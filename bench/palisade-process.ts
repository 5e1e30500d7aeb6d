// Palisade as the bench runs it: `node dist/src/main.js` on a free port, with BENCH_CONFIG (if
// set) under the settings the bench needs, written to a config file in a directory of the
// caller's.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { listenPort, PALISADE_PORT } from './listen-port';
import type { MemoryCgroup } from './memory-cgroup';

const ROOT = join(__dirname, '..', '..');

export interface PalisadeProcess {
  proc: ChildProcess;
  port: number;
}

/**
 * Starts Palisade and waits until it listens; stdout and stderr are left to the caller. `inside`
 * runs it in a cgroup (memory-cgroup.ts) from its first instruction.
 */
export async function startPalisade(
  dir: string,
  settings: Record<string, unknown>,
  inside?: Pick<MemoryCgroup, 'command'>,
): Promise<PalisadeProcess> {
  const base = process.env.BENCH_CONFIG
    ? (parseYaml(readFileSync(process.env.BENCH_CONFIG, 'utf8')) as Record<string, unknown>)
    : {};
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, toYaml({ ...base, ...settings }));
  const args = ['dist/src/main.js', '--config', configFile, '--port', '0'];
  const cmd = inside ? inside.command(args) : { file: process.execPath, args };
  const proc = spawn(cmd.file, cmd.args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await listenPort(proc, 'palisade', PALISADE_PORT);
  return { proc, port };
}

/**
 * Palisade's own handling time (durationMs of its `admission decision` log lines) of each request
 * for an object of this name, as it comes: it tells the webhook's share of a latency seen through
 * the apiserver. Reads stdout from here on.
 */
export function decisionDurations(proc: ChildProcess, name: string): number[] {
  const ms: number[] = [];
  let partial = '';
  proc.stdout!.on('data', (c: Buffer) => {
    const lines = (partial + c.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (!line.includes('"admission decision"') || !line.includes(`"name":"${name}"`)) continue;
      const d = (JSON.parse(line) as { durationMs?: number }).durationMs;
      if (typeof d === 'number') ms.push(d);
    }
  });
  return ms;
}
