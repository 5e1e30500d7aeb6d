// npm run bench: Palisade, a null webhook on the same stack and OPA server, in ONE run, with the
// same load generators, the same inputs and the same Rego, over HTTPS on loopback: autocannon at
// saturation, an evenly paced open-loop client at fixed rates (paced-load.ts says why).
// Prints throughput, p50/p90/p99 latency, peak RSS and the ratios, and writes bench/results.json.
// Numbers are only comparable within one run on one machine; read the ratios.
//
// Env: BENCH_DURATION (seconds per case, default 10), BENCH_CONNECTIONS (default 16),
// BENCH_CONFIG (a Palisade config file; the bench sets its bundle), BENCH_POLICIES (policy
// sources, default policies/), BENCH_POLICY_SCALE=N (also run Palisade with every policy copied
// N times, on the Deployment input), BENCH_INPUTS (comma list, default
// pod,deployment,configmap,flood; flood is 1 MiB Secrets and ConfigMaps on fresh processes, flood.ts),
// BENCH_TARGETS (comma list, default palisade,null,opa; the summary needs all three),
// BENCH_RESULTS (output file, default bench/results.json). The input gatekeeper is the PSS
// baseline templates in Palisade and in `gator bench` (gatekeeper.ts): BENCH_GK_ROUNDS rounds
// (default 5) of BENCH_GK_ITERATIONS reviews per engine (default 1000).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { evaluationInputs, evaluationMicros, type EvalInput } from './eval-inputs';
import { configMapReview, deploymentReview, podReview } from './inputs';
import { OPA_PATH, post, startOpa } from './opa-server';
import { pacedLoad } from './paced-load';
import { buildPolicySet } from './policy-set';
import { listenPort } from './listen-port';
import { startWithConfig } from './palisade-process';
import { runFlood, type FloodResult } from './flood';
import {
  gatekeeperLines,
  gatekeeperSummary,
  runGatekeeperBench,
  type GatekeeperBenchResult,
} from './gatekeeper';
import { peakRssMiB } from './rss-samples';
import { ROOT } from '../test/support/root';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SCALE = Number(process.env.BENCH_POLICY_SCALE ?? 1);
const INPUTS = (process.env.BENCH_INPUTS ?? 'pod,deployment,configmap,flood,gatekeeper').split(',');
const GK_ITERATIONS = Number(process.env.BENCH_GK_ITERATIONS ?? 1000);
const GK_ROUNDS = Number(process.env.BENCH_GK_ROUNDS ?? 5);
const RATES = [undefined, 500, 1000];
const TARGETS = (process.env.BENCH_TARGETS ?? 'palisade,null,opa').split(',');

interface Target {
  name: string;
  proc: ChildProcess;
  port: number;
  path: string;
  /** The request body for an input. */
  body: (input: string) => string;
  /** Only these inputs (all when undefined). */
  inputs?: string[];
}

interface CaseResult {
  target: string;
  input: string;
  load: string;
  rps: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  rss_mib: number;
  errors: number;
  non2xx: number;
}

function startNode(name: string, args: string[], portPattern: RegExp) {
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return listenPort(proc, name, portPattern).then((port) => {
    proc.stdout!.resume();
    proc.stderr!.resume();
    return { proc, port };
  });
}

/** Palisade on a config file, its output drained (never collected). */
async function startPalisadeNode(configFile: string) {
  const p = await startWithConfig(configFile);
  p.proc.stdout!.resume();
  p.proc.stderr!.resume();
  return p;
}

/** Resets a process's peak RSS (Linux clear_refs 5), so each case reports its own peak. */
function resetPeak(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not permitted here: the peaks accumulate over the run instead.
  }
}

async function load(t: Target, input: string, rate?: number): Promise<CaseResult> {
  resetPeak(t.proc.pid!);
  const measured = rate
    ? await pacedLoad({
        port: t.port,
        path: t.path,
        body: t.body(input),
        rate,
        durationS: DURATION_S,
        connections: CONNECTIONS,
      })
    : await saturate(t, input);
  return {
    target: t.name,
    input,
    load: rate ? `${rate} req/s` : 'saturation',
    ...measured,
    rss_mib: peakRssMiB(t.proc.pid!),
  };
}

/** Closed loop, as fast as the target answers: CONNECTIONS requests in flight at all times. */
async function saturate(t: Target, input: string) {
  const result = await autocannon({
    url: `https://127.0.0.1:${t.port}${t.path}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: t.body(input),
    connections: CONNECTIONS,
    duration: DURATION_S,
  });
  return {
    rps: Math.round(result.requests.average),
    p50_ms: result.latency.p50,
    p90_ms: result.latency.p90,
    p99_ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'palisade-bench-'));
  const reviews = Object.fromEntries(
    Object.entries({
      pod: podReview(),
      deployment: deploymentReview(),
      configmap: configMapReview(),
    }).filter(([name]) => INPUTS.includes(name)),
  );
  const reviewJson = Object.fromEntries(
    Object.entries(reviews).map(([k, v]) => [k, JSON.stringify(v)]),
  );
  const set = buildPolicySet(ROOT, join(work, 'x1'), 1, process.env.BENCH_CONFIG);
  const evalInputs = await evaluationInputs(set.configFile, reviews);
  const opaBody = (inputs: Record<string, EvalInput>) => (i: string) =>
    `{"input":${inputs[i]!.json}}`;
  const targets: Target[] = [];
  try {
    const pal = await startPalisadeNode(set.configFile);
    targets.push({ name: 'palisade', ...pal, path: '/validate', body: (i) => reviewJson[i]! });
    const nul = await startNode('null', ['dist/bench/null-webhook.js', '0'], /listening (\d+)/);
    targets.push({ name: 'null', ...nul, path: '/validate', body: (i) => reviewJson[i]! });
    const opa = await startOpa(ROOT, work, set.regoFiles);
    targets.push({ name: 'opa', ...opa, path: OPA_PATH, body: opaBody(evalInputs) });
    let scaled: { count: number; evalUs: number; baseEvalUs: number } | undefined;
    if (SCALE > 1 && reviews.deployment) {
      const big = buildPolicySet(ROOT, join(work, `x${SCALE}`), SCALE, process.env.BENCH_CONFIG);
      const bigInputs = await evaluationInputs(big.configFile, reviews);
      scaled = {
        count: big.policyCount,
        baseEvalUs: await evaluationMicros(set.bundle, evalInputs.deployment!),
        evalUs: await evaluationMicros(big.bundle, bigInputs.deployment!),
      };
      const palN = await startPalisadeNode(big.configFile);
      targets.push({
        name: `palisade-x${SCALE}`,
        ...palN,
        path: '/validate',
        body: (i) => reviewJson[i]!,
        inputs: ['deployment'],
      });
    }
    // Same answer from both engines before timing them (a bench of a broken query proves nothing).
    for (const input of Object.keys(reviews)) {
      const p = JSON.parse((await post(pal.port, '/validate', reviewJson[input])).text);
      const o = JSON.parse((await post(opa.port, OPA_PATH, opaBody(evalInputs)(input))).text);
      process.stderr.write(
        `input ${input}: ${reviewJson[input]!.length} bytes, ${evalInputs[input]!.policies} policies apply; ` +
          `palisade allowed=${p.response?.allowed} warnings=${(p.response?.warnings ?? []).length}, ` +
          `opa violations=${Array.isArray(o.result) ? o.result.length : JSON.stringify(o)}\n`,
      );
    }
    const results: CaseResult[] = [];
    for (const input of Object.keys(reviews)) {
      for (const rate of RATES) {
        const active = targets.filter(
          (x) =>
            (!x.inputs || x.inputs.includes(input)) && TARGETS.some((n) => x.name.startsWith(n)),
        );
        for (const t of active) {
          const r = await load(t, input, rate);
          results.push(r);
          process.stderr.write(
            `${r.target.padEnd(12)} ${input.padEnd(11)} ${r.load.padEnd(11)} ${String(r.rps).padStart(5)} req/s  p50 ${r.p50_ms} ms  p90 ${r.p90_ms} ms  p99 ${r.p99_ms} ms  peak RSS ${r.rss_mib} MiB  errors ${r.errors} non2xx ${r.non2xx}\n`,
          );
        }
      }
    }
    const flood = INPUTS.includes('flood')
      ? await runFlood({
          work,
          bundle: set.bundle,
          targets: TARGETS,
          connections: CONNECTIONS,
          durationS: DURATION_S,
        })
      : [];
    const gk = INPUTS.includes('gatekeeper')
      ? await runGatekeeperBench({ work, iterations: GK_ITERATIONS, rounds: GK_ROUNDS })
      : undefined;
    if (gk) process.stderr.write(gatekeeperLines(gk));
    writeSummary(results, scaled, flood, gk);
  } finally {
    for (const t of targets) t.proc.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}

function writeSummary(
  results: CaseResult[],
  scaled?: { count: number; evalUs: number; baseEvalUs: number },
  flood: FloodResult[] = [],
  gk?: GatekeeperBenchResult,
): void {
  const find = (t: string, input: string, load: string) =>
    results.find((r) => r.target === t && r.input === input && r.load === load);
  const sat = (t: string) => find(t, 'deployment', 'saturation')!;
  const summary: Record<string, unknown> = {
    machine: {
      cpus: cpus().length,
      cpu_model: cpus()[0]?.model,
      node: process.version,
      loadavg_at_end: loadavg().map((l) => Math.round(l * 100) / 100),
    },
    duration_s: DURATION_S,
    connections: CONNECTIONS,
  };
  if (
    find('palisade', 'deployment', 'saturation') &&
    find('null', 'deployment', 'saturation') &&
    find('opa', 'deployment', 'saturation')
  ) {
    Object.assign(summary, {
      palisade_rps: sat('palisade').rps,
      null_rps: sat('null').rps,
      opa_rps: sat('opa').rps,
      ratio_palisade_to_null: ratio(sat('palisade').rps, sat('null').rps),
      ratio_palisade_to_opa: ratio(sat('palisade').rps, sat('opa').rps),
      palisade_p99_ms: sat('palisade').p99_ms,
      palisade_p99_ms_at_1000rps: find('palisade', 'deployment', '1000 req/s')?.p99_ms,
      opa_p99_ms_at_1000rps: find('opa', 'deployment', '1000 req/s')?.p99_ms,
      palisade_rss_mib: sat('palisade').rss_mib,
      null_rss_mib: sat('null').rss_mib,
      opa_rss_mib: sat('opa').rss_mib,
      ratio_rss_palisade_to_null: ratio(sat('palisade').rss_mib, sat('null').rss_mib),
      palisade_peak_rss_mib: Math.max(
        ...results.filter((r) => r.target === 'palisade').map((r) => r.rss_mib),
      ),
    });
  }
  if (scaled) {
    const big = `palisade-x${SCALE}`;
    Object.assign(summary, {
      scale: SCALE,
      scaled_policies: scaled.count,
      eval_us: scaled.baseEvalUs,
      scaled_eval_us: scaled.evalUs,
      ratio_scaled_eval: ratio(scaled.evalUs, scaled.baseEvalUs),
      scaled_rps: find(big, 'deployment', 'saturation')?.rps,
      ratio_scaled_rps: ratio(sat('palisade').rps, find(big, 'deployment', 'saturation')!.rps),
      scaled_p50_ms_at_500rps: find(big, 'deployment', '500 req/s')?.p50_ms,
      palisade_p50_ms_at_500rps: find('palisade', 'deployment', '500 req/s')?.p50_ms,
    });
  }
  const peak = (t: string) => flood.find((r) => r.target === t)?.peak_mib;
  if (flood.length > 0) {
    Object.assign(summary, {
      flood_measured_in: flood[0]!.measured_in,
      flood_palisade_peak_mib: peak('palisade'),
      flood_null_peak_mib: peak('null'),
      flood_chart_limit_mib: flood[0]!.chart_limit_mib,
      flood_oom_kills: flood.reduce((n, r) => n + r.oom_kills, 0),
      flood_ratio_peak_all_fields_to_palisade: ratio(
        peak('palisade-all-fields') ?? NaN,
        peak('palisade') ?? NaN,
      ),
      flood,
    });
  }
  if (gk) Object.assign(summary, gatekeeperSummary(gk));
  summary.results = results;
  const out = process.env.BENCH_RESULTS ?? join(ROOT, 'bench', 'results.json');
  writeFileSync(out, JSON.stringify(summary, null, 2) + '\n');
  process.stdout.write(JSON.stringify({ ...summary, results: undefined }, null, 2) + '\n');
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
