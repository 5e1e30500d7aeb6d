// npm run bench: Palisade and a null webhook on the same stack, in ONE run, with the same load
// generator (autocannon) and the same inputs, over HTTPS on loopback. Prints throughput,
// p50/p90/p99 latency, peak RSS and the ratios, and writes bench/results.json.
// Numbers are only comparable within one run on one machine; read the ratios.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { deploymentReview, podReview } from './inputs';

const ROOT = join(__dirname, '..', '..');
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);

interface Target {
  name: 'palisade' | 'null';
  proc: ChildProcess;
  port: number;
}

interface CaseResult {
  target: string;
  input: string;
  load: string;
  rps: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  errors: number;
  non2xx: number;
}

function start(name: Target['name'], args: string[], portPattern: RegExp): Promise<Target> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const m = portPattern.exec(seen);
      if (!m) return;
      // Stop collecting: the decision log keeps flowing and must cost the bench nothing.
      proc.stdout!.off('data', onData);
      proc.stderr!.off('data', onData);
      proc.stdout!.resume();
      proc.stderr!.resume();
      resolve({ name, proc, port: Number(m[1]) });
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`${name} exited with ${code}: ${seen}`)));
  });
}

/** Peak resident set size (VmHWM) of a process, in MiB. */
function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

async function load(
  target: Target,
  input: string,
  body: string,
  rate?: number,
): Promise<CaseResult> {
  const result = await autocannon({
    url: `https://127.0.0.1:${target.port}/validate`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: CONNECTIONS,
    duration: DURATION_S,
    ...(rate ? { overallRate: rate } : {}),
  });
  return {
    target: target.name,
    input,
    load: rate ? `${rate} req/s` : 'saturation',
    rps: Math.round(result.requests.average),
    p50_ms: result.latency.p50,
    p90_ms: result.latency.p90,
    p99_ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

async function main() {
  const palisade = await start(
    'palisade',
    [
      'dist/src/main.js',
      '--port',
      '0',
      ...(process.env.BENCH_CONFIG ? ['--config', process.env.BENCH_CONFIG] : []),
    ],
    /serving \d+ policies at https:\/\/[^:]+:(\d+)/,
  );
  const nul = await start('null', ['dist/bench/null-webhook.js', '0'], /listening (\d+)/);
  const inputs = {
    pod: JSON.stringify(podReview()),
    deployment: JSON.stringify(deploymentReview()),
  };
  const results: CaseResult[] = [];
  try {
    for (const [input, body] of Object.entries(inputs)) {
      process.stderr.write(`input ${input}: ${body.length} bytes\n`);
      for (const rate of [undefined, 500, 1000]) {
        for (const target of [palisade, nul]) {
          const r = await load(target, input, body, rate);
          results.push(r);
          process.stderr.write(
            `${r.target.padEnd(9)} ${input.padEnd(11)} ${r.load.padEnd(11)} ${r.rps} req/s  p50 ${r.p50_ms} ms  p90 ${r.p90_ms} ms  p99 ${r.p99_ms} ms  errors ${r.errors} non2xx ${r.non2xx}\n`,
          );
        }
      }
    }
  } finally {
    palisade.proc.kill('SIGTERM');
    nul.proc.kill('SIGTERM');
  }
  const rss = { palisade: peakRssMiB(palisade.proc.pid!), null: peakRssMiB(nul.proc.pid!) };
  const sat = (t: string) =>
    results.find((r) => r.target === t && r.input === 'deployment' && r.load === 'saturation')!;
  const at1000 = results.find(
    (r) => r.target === 'palisade' && r.input === 'deployment' && r.load === '1000 req/s',
  )!;
  const summary = {
    machine: { cpus: cpus().length, node: process.version },
    duration_s: DURATION_S,
    connections: CONNECTIONS,
    palisade_rps: sat('palisade').rps,
    null_rps: sat('null').rps,
    ratio_palisade_to_null: Math.round((sat('palisade').rps / sat('null').rps) * 100) / 100,
    palisade_p99_ms: sat('palisade').p99_ms,
    palisade_p99_ms_at_1000rps: at1000.p99_ms,
    palisade_rss_mib: rss.palisade,
    null_rss_mib: rss.null,
    ratio_rss_palisade_to_null: Math.round((rss.palisade / rss.null) * 100) / 100,
    results,
  };
  writeFileSync(join(ROOT, 'bench', 'results.json'), JSON.stringify(summary, null, 2) + '\n');
  process.stdout.write(JSON.stringify({ ...summary, results: undefined }, null, 2) + '\n');
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
