// The flood case of `npm run bench`: 16 connections, closed loop, CREATE reviews of 1 MiB Secrets
// and ConfigMaps in turn (inputs.ts floodReviews), against fresh processes so that each peak is the
// flood's own. An OOM-killed webhook under failurePolicy Fail blocks every write, so each process
// runs as the kubelet runs a container: in a memory cgroup at the chart's own memory limit, which
// Node sizes its heap from and the kernel enforces, and a CPU cgroup at its CPU quota
// (chart-limits.ts; read from values.yaml). The peak is the memory cgroup's charge; where no
// cgroup can be made the process is pinned by affinity, with a warning, and the peak is its VmHWM.
//
// Targets, in one run: palisade as configured; palisade-no-budget (evaluation.maxInflightMiB at its
// maximum, so the in-flight byte budget never holds a request back); palisade-all-fields (also on a
// copy of the bundle whose palisade.json has no reads, so every field enters the wasm: Palisade
// before either change); and the null webhook on the same stack, as the floor.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { chartMemoryLimitMiB } from './chart-resources';
import { floodReviews } from './inputs';
import { listenPort } from './listen-port';
import { chartLimits, type ChartLimits } from './chart-limits';
import { startPalisade } from './palisade-process';
import { peakRssMiB } from './rss-samples';
import { ROOT } from '../test/support/root';

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
  /** Where the process ran: in a memory cgroup at the chart's limit, or unrestricted. */
  measured_in: 'cgroup' | 'unrestricted';
  /** The cgroup's peak charge (what the OOM killer compares), else the process's VmHWM. */
  peak_mib: number;
  /** The process's own high-water mark (VmHWM), which also counts shared file pages. */
  peak_rss_mib: number;
  oom_kills: number;
  alive: boolean;
  chart_limit_mib: number;
  under_limit: boolean;
}

type Started = { proc: ChildProcess; port: number };

export async function runFlood(opts: {
  work: string;
  bundle: string;
  targets: string[];
  connections: number;
  durationS: number;
}): Promise<FloodResult[]> {
  const bodies = floodReviews().map((r) => JSON.stringify(r));
  const limitMiB = chartMemoryLimitMiB();
  process.stderr.write(
    `flood: ${bodies.length} bodies of ${bodies.map((b) => b.length).join(', ')} bytes, ` +
      `chart memory limit ${limitMiB} MiB\n`,
  );
  const palisade = (dir: string, settings: Record<string, unknown>) => async (cg?: ChartLimits) => {
    mkdirSync(join(opts.work, dir), { recursive: true });
    const p = await startPalisade(join(opts.work, dir), { watch: false, ...settings }, cg);
    p.proc.stdout!.resume();
    p.proc.stderr!.resume();
    return p;
  };
  const noBudget = { evaluation: { maxInflightMiB: 4096 } };
  const starts: [string, (cg?: ChartLimits) => Promise<Started>][] = [
    ['palisade', palisade('flood-palisade', { bundle: opts.bundle })],
    ['palisade-no-budget', palisade('flood-no-budget', { bundle: opts.bundle, ...noBudget })],
    [
      'palisade-all-fields',
      palisade('flood-all-fields', { bundle: bundleWithoutReads(opts), ...noBudget }),
    ],
    ['null', (cg) => startNull(cg)],
  ];
  const results: FloodResult[] = [];
  for (const [name, start] of starts) {
    if (!opts.targets.some((t) => name.startsWith(t))) continue;
    // The chart's CPU quota and memory limit (chart-limits.ts warns when it cannot apply them).
    const inside = chartLimits(`flood-${name}`);
    const { proc, port } = await start(inside);
    try {
      const r = await flood(port, bodies, opts);
      const alive = proc.exitCode === null && proc.signalCode === null;
      const rss = alive ? peakRssMiB(proc.pid!) : NaN;
      const peak = inside.peakMiB() ?? rss;
      results.push({
        target: name,
        ...r,
        measured_in: inside.how === 'cgroup' ? 'cgroup' : 'unrestricted',
        peak_mib: peak,
        peak_rss_mib: rss,
        oom_kills: inside.oomKills(),
        alive,
        chart_limit_mib: limitMiB,
        under_limit: alive && peak < limitMiB,
      });
      process.stderr.write(`flood ${JSON.stringify(results[results.length - 1])}\n`);
    } finally {
      const running = proc.exitCode === null && proc.signalCode === null;
      const exited = new Promise((done) => (running ? proc.once('exit', done) : done(0)));
      proc.kill('SIGKILL');
      await exited;
      inside.remove();
    }
  }
  return results;
}

/** The null webhook (same Node, TLS and Fastify, no policy), the floor of any peak. */
async function startNull(cg?: ChartLimits): Promise<Started> {
  const args = ['dist/bench/null-webhook.js', '0'];
  const cmd = cg ? cg.command(args) : { file: process.execPath, args };
  const proc = spawn(cmd.file, cmd.args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await listenPort(proc, 'null', /listening (\d+)/);
  proc.stdout!.resume();
  proc.stderr!.resume();
  return { proc, port };
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
