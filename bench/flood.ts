// The flood case of `npm run bench`: 16 connections, closed loop, CREATE reviews of 1 MiB Secrets
// and ConfigMaps in turn (inputs.ts floodReviews), against fresh processes so that each peak RSS
// (VmHWM, the process's high-water mark) is the flood's own. An OOM-killed webhook under
// failurePolicy Fail blocks every write, so the peak is set beside the chart's memory limit.
//
// Targets, in one run: palisade as configured; palisade-no-budget (evaluation.maxInflightMiB at its
// maximum, so the in-flight byte budget never holds a request back); palisade-all-fields (also on a
// copy of the bundle whose palisade.json has no reads, so every field enters the wasm: Palisade
// before either change); and the null webhook on the same stack, as the floor.
import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { floodReviews } from './inputs';
import { startPalisade } from './palisade-process';
import { peakRssMiB } from './rss-samples';

/** charts/palisade/values.yaml resources.limits.memory (256Mi). */
export const CHART_LIMIT_MIB = 256;

export interface FloodResult {
  target: string;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  /** Answers: allowed, refused (allowed false, with its message), transport errors, non-2xx. */
  allowed: number;
  refused: Record<string, number>;
  errors: number;
  non2xx: number;
  peak_rss_mib: number;
  chart_limit_mib: number;
  under_limit: boolean;
}

export type StartNode = (
  name: string,
  args: string[],
  portPattern: RegExp,
) => Promise<{ proc: ChildProcess; port: number }>;

export async function runFlood(opts: {
  work: string;
  bundle: string;
  startNode: StartNode;
  targets: string[];
  connections: number;
  durationS: number;
}): Promise<FloodResult[]> {
  const bodies = floodReviews().map((r) => JSON.stringify(r));
  process.stderr.write(
    `flood: ${bodies.length} bodies of ${bodies.map((b) => b.length).join(', ')} bytes\n`,
  );
  const palisade = (dir: string, settings: Record<string, unknown>) => async () => {
    mkdirSync(join(opts.work, dir), { recursive: true });
    const p = await startPalisade(join(opts.work, dir), { watch: false, ...settings });
    p.proc.stdout!.resume();
    p.proc.stderr!.resume();
    return p;
  };
  const noBudget = { evaluation: { maxInflightMiB: 4096 } };
  const starts: [string, () => Promise<{ proc: ChildProcess; port: number }>][] = [
    ['palisade', palisade('flood-palisade', { bundle: opts.bundle })],
    ['palisade-no-budget', palisade('flood-no-budget', { bundle: opts.bundle, ...noBudget })],
    [
      'palisade-all-fields',
      palisade('flood-all-fields', { bundle: bundleWithoutReads(opts), ...noBudget }),
    ],
    ['null', () => opts.startNode('null', ['dist/bench/null-webhook.js', '0'], /listening (\d+)/)],
  ];
  const results: FloodResult[] = [];
  for (const [name, start] of starts) {
    if (!opts.targets.some((t) => name.startsWith(t))) continue;
    const { proc, port } = await start();
    try {
      const r = await flood(port, bodies, opts);
      const peak = peakRssMiB(proc.pid!);
      results.push({
        target: name,
        ...r,
        peak_rss_mib: peak,
        chart_limit_mib: CHART_LIMIT_MIB,
        under_limit: peak < CHART_LIMIT_MIB,
      });
      process.stderr.write(`flood ${JSON.stringify(results[results.length - 1])}\n`);
    } finally {
      proc.kill('SIGTERM');
    }
  }
  return results;
}

/** A copy of the bundle as built before reads were recorded: every policy reads everything. */
function bundleWithoutReads(opts: { work: string; bundle: string }): string {
  const out = join(opts.work, 'bundle-all-fields');
  cpSync(opts.bundle, out, { recursive: true });
  const file = join(out, 'palisade.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  for (const p of manifest.policies) delete p.reads;
  writeFileSync(file, JSON.stringify(manifest));
  return out;
}

async function flood(
  port: number,
  bodies: string[],
  opts: { connections: number; durationS: number },
) {
  let allowed = 0;
  const refused: Record<string, number> = {};
  const onResponse = (status: number, body: string) => {
    if (status !== 200) return;
    const response = JSON.parse(body).response;
    if (response?.allowed === true) allowed++;
    else {
      const why = String(response?.status?.message ?? 'no message').slice(0, 120);
      refused[why] = (refused[why] ?? 0) + 1;
    }
  };
  const result = await autocannon({
    url: `https://127.0.0.1:${port}/validate`,
    connections: opts.connections,
    duration: opts.durationS,
    requests: bodies.map((body) => ({
      method: 'POST' as const,
      headers: { 'content-type': 'application/json' },
      body,
      onResponse,
    })),
  });
  return {
    rps: Math.round(result.requests.average * 10) / 10,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    allowed,
    refused,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
