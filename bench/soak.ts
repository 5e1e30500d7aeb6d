// npm run bench:soak: is Palisade's memory flat under steady load? Runs Palisade (the built
// bundle, BENCH_CONFIG if set) under a fixed, evenly paced rate of Deployment reviews and samples its resident
// set size at a fixed interval; prints first / last / max and the slope (least squares, MiB per
// minute, over the samples after the first minute, when start-up and JIT warm-up are over), and
// writes bench/soak.json.
//
// Env: BENCH_SOAK_DURATION (seconds, default 600), BENCH_SOAK_RATE (req/s, default 500),
// BENCH_SOAK_INTERVAL (seconds between samples, default 5), BENCH_CONNECTIONS (default 16).
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { deploymentReview } from './inputs';
import { pacedLoad, type PacedResult } from './paced-load';
import { listenPort, PALISADE_PORT } from './listen-port';

const ROOT = join(__dirname, '..', '..');
const DURATION_S = Number(process.env.BENCH_SOAK_DURATION ?? 600);
const RATE = Number(process.env.BENCH_SOAK_RATE ?? 500);
const INTERVAL_S = Number(process.env.BENCH_SOAK_INTERVAL ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const WARM_UP_S = Math.min(60, DURATION_S / 4);

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round((Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024) * 10) / 10;
}

/** Least-squares slope of y over x. */
function slope(points: { t: number; rss: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.t, 0) / n;
  const my = points.reduce((s, p) => s + p.rss, 0) / n;
  const num = points.reduce((s, p) => s + (p.t - mx) * (p.rss - my), 0);
  const den = points.reduce((s, p) => s + (p.t - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

async function main() {
  // A private copy of the bundle and no file watching: a rebuild of dist/ during the soak must not
  // reload policies (a reload replaces the worker pool, which shows as a step in RSS).
  const work = mkdtempSync(join(tmpdir(), 'palisade-soak-'));
  cpSync(join(ROOT, 'dist', 'bundle'), join(work, 'bundle'), { recursive: true });
  const base = process.env.BENCH_CONFIG
    ? (parseYaml(readFileSync(process.env.BENCH_CONFIG, 'utf8')) as Record<string, unknown>)
    : {};
  const configFile = join(work, 'config.yaml');
  writeFileSync(configFile, toYaml({ ...base, bundle: join(work, 'bundle'), watch: false }));
  const args = ['dist/src/main.js', '--port', '0', '--config', configFile];
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await listenPort(proc, 'palisade', PALISADE_PORT);
  proc.stdout!.resume();
  // Keep the end of stderr and the exit: if Palisade dies mid-soak, say how.
  let stderrTail = '';
  proc.stderr!.on('data', (c: Buffer) => (stderrTail = (stderrTail + c.toString()).slice(-4000)));
  proc.once('exit', (code, signal) => {
    if (stopping) return;
    process.stderr.write(
      `palisade exited mid-soak: code ${code} signal ${signal}\n${stderrTail}\n`,
    );
    process.exit(1);
  });
  let stopping = false;
  const samples: { t: number; rss: number }[] = [];
  const start = Date.now();
  const sample = () => {
    const s = { t: (Date.now() - start) / 1000, rss: rssMiB(proc.pid!) };
    samples.push(s);
    process.stderr.write(`t=${s.t.toFixed(0)}s rss=${s.rss} MiB\n`);
  };
  sample();
  const timer = setInterval(sample, INTERVAL_S * 1000);
  let result: PacedResult;
  try {
    result = await pacedLoad({
      port,
      path: '/validate',
      body: JSON.stringify(deploymentReview()),
      rate: RATE,
      durationS: DURATION_S,
      connections: CONNECTIONS,
    });
    sample();
  } finally {
    clearInterval(timer);
    stopping = true;
    proc.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
  const steady = samples.filter((s) => s.t >= WARM_UP_S);
  const summary = {
    machine: { cpus: cpus().length, node: process.version, loadavg_at_end: loadavg() },
    duration_s: DURATION_S,
    rate: RATE,
    interval_s: INTERVAL_S,
    achieved_rps: result.rps,
    p99_ms: result.p99_ms,
    errors: result.errors,
    non2xx: result.non2xx,
    rss_first_mib: samples[0]!.rss,
    rss_after_warm_up_mib: steady[0]?.rss,
    rss_last_mib: samples[samples.length - 1]!.rss,
    rss_max_mib: Math.max(...samples.map((s) => s.rss)),
    slope_mib_per_min: Math.round(slope(steady) * 60 * 1000) / 1000,
    samples,
  };
  writeFileSync(join(ROOT, 'bench', 'soak.json'), JSON.stringify(summary, null, 2) + '\n');
  process.stdout.write(JSON.stringify({ ...summary, samples: undefined }, null, 2) + '\n');
}

main().catch((err) => {
  process.stderr.write(`soak failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
