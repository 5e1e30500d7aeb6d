// Palisade as the bench runs it (test/support/palisade-process.ts): `node dist/src/main.js` on a
// free port, with BENCH_CONFIG (if set) under the settings the bench needs, written to a config
// file in a directory of the caller's. Its output is not collected once it listens: the caller
// reads or drains stdout and stderr.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { writeConfigFile } from '../test/support/palisade';
import { startPalisadeProcess } from '../test/support/palisade-process';
import type { MemoryCgroup } from './memory-cgroup';

export interface PalisadeProcess {
  proc: ChildProcess;
  port: number;
}

/** BENCH_CONFIG's content, or {} when it is not set. */
export function benchConfig(): Record<string, unknown> {
  const file = process.env.BENCH_CONFIG;
  return file ? (parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
}

/**
 * Starts Palisade with a config file (BENCH_CONFIG under `settings`) and waits until it listens;
 * or, given `configFile`, with that file as it is. `inside` runs it in a cgroup
 * (memory-cgroup.ts) from its first instruction.
 */
export async function startPalisade(
  dir: string,
  settings: Record<string, unknown>,
  inside?: Pick<MemoryCgroup, 'command'>,
): Promise<PalisadeProcess> {
  const configFile = writeConfigFile(dir, { ...benchConfig(), ...settings });
  return startWithConfig(configFile, inside);
}

/** Starts Palisade on `configFile` and waits until it listens. */
export async function startWithConfig(
  configFile: string,
  inside?: Pick<MemoryCgroup, 'command'>,
): Promise<PalisadeProcess> {
  const p = await startPalisadeProcess({
    args: ['--config', configFile, '--port', '0'],
    keepOutput: false,
    ...(inside && { inside }),
  });
  return { proc: p.proc, port: p.port };
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
