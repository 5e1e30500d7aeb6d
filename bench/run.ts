// npm run bench: Palisade, a null webhook on the same stack and OPA server (as Palisade's
// aggregator queries it, and as an OPA user writes it), in ONE run, with the same load
// generators, the same inputs and the same Rego, over HTTPS on loopback, in two settings:
//   unrestricted  each target on the machine's cores, Palisade on its default config;
//   chart         each target in its own cgroup at the chart's CPU quota and memory limit, as the
//                 kubelet runs a container (chart-limits.ts), Palisade on the config the chart
//                 renders (chart-config.ts).
// Per input and setting: saturation (autocannon, closed loop), then an evenly paced open-loop
// client (paced-load.ts) at 25%, 50% and 75% of Palisade's own saturation rate there. Each case
// reports good answers per second, p50/p90/p99/max latency, CPU time per request (/proc), peak
// memory, and CFS throttling (cpu.stat). An answer the failure mode gave (Palisade could not
// decide in time and failed closed or open) is an error, never a success.
// Writes bench/results.json; numbers compare only within one run on one machine: read the ratios.
//
// Env: BENCH_DURATION (seconds per case, default 10), BENCH_CONNECTIONS (default 16),
// BENCH_CONFIG (a Palisade config for the unrestricted setting; the bench sets its bundle),
// BENCH_POLICIES (policy sources, default policies/), BENCH_POLICY_SCALE=N (also run Palisade
// with every policy copied N times, Deployment input, chart setting; default 10, 1 = off),
// BENCH_INPUTS (comma list, default pod,deployment,configmap,rollout,flood,gatekeeper; rollout is
// the pod-spec cache on a Deployment rollout, rollout.ts; flood is 1 MiB Secrets and ConfigMaps
// on fresh processes, flood.ts; gatekeeper is gatekeeper.ts),
// BENCH_LIMITS (unrestricted,chart), BENCH_CHART_WORKERS (evaluation.workers variants of Palisade
// in the chart setting, Deployment input, default "1,2"; the chart renders auto, i.e. 0 on one
// CPU), BENCH_TEMPLATES
// (pod templates with distinct images sent in turn to Palisade and the null webhook, default
// 2048: the policies that read images are evaluated every time; palisade-nocache runs with the
// pod-spec cache off, palisade-same sends one review again and again),
// BENCH_TARGETS (comma list of name prefixes, default palisade,null,opa), BENCH_RESULTS (output
// file, default bench/results.json), BENCH_GK_ROUNDS (5) and BENCH_GK_ITERATIONS (1000).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { stringify } from 'yaml';
import { evaluationInputs, evaluationMicros } from './eval-inputs';
import { configMapReview, deploymentReview, distinctTemplates, podReview } from './inputs';
import { OPA_PATH, post, startOpa, startOpaFair } from './opa-server';
import { pacedLoad, type AnswerCheck } from './paced-load';
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
import { chartConfig } from './chart-config';
import { rolloutLines, runRollout, type RolloutResult } from './rollout';
import { chartLimits, type ChartLimits } from './chart-limits';
import { cpuMs } from './cpu-time';
import { peakRssMiB } from './rss-samples';
import { ROOT } from '../test/support/root';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SCALE = Number(process.env.BENCH_POLICY_SCALE ?? 10);
const INPUTS = (
  process.env.BENCH_INPUTS ?? 'pod,deployment,configmap,rollout,flood,gatekeeper'
).split(',');
const GK_ITERATIONS = Number(process.env.BENCH_GK_ITERATIONS ?? 1000);
const GK_ROUNDS = Number(process.env.BENCH_GK_ROUNDS ?? 5);
const LIMITS = (process.env.BENCH_LIMITS ?? 'unrestricted,chart').split(',') as Setting[];
const CHART_WORKERS = (process.env.BENCH_CHART_WORKERS ?? '1,2')
  .split(',')
  .filter((w) => w !== '')
  .map(Number);
/** Distinct pod templates sent in turn to Palisade and the null webhook (inputs.ts says why). */
const TEMPLATES = Number(process.env.BENCH_TEMPLATES ?? 2048);
const TARGETS = (process.env.BENCH_TARGETS ?? 'palisade,null,opa').split(',');
/** Paced rates, as fractions of Palisade's own saturation rate in the same setting and input. */
const PACED = [0.25, 0.5, 0.75];

type Setting = 'unrestricted' | 'chart';

interface Target {
  name: string;
  proc: ChildProcess;
  port: number;
  path: string;
  /** The request body for an input, or several sent in turn. */
  body: (input: string) => string | string[];
  /** Why an answer is not a decision (undefined when it is one). */
  check: AnswerCheck;
  /** Only these inputs (all when undefined). */
  inputs?: string[];
  /** Only at saturation. */
  saturationOnly?: boolean;
  limits?: ChartLimits;
}

export interface CaseResult {
  setting: Setting;
  target: string;
  input: string;
  /** "saturation" or "25%" / "50%" / "75%" (of Palisade's saturation rate). */
  load: string;
  /** The paced rate asked, req/s. */
  rate?: number;
  /** Good answers per second. */
  rps: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  /** Connection errors, timeouts, non-2xx and answers that are not decisions. */
  errors: number;
  /** Of those: answers the failure mode gave. */
  failure_mode: number;
  /** CPU time of the target (every thread) per good answer, µs. */
  cpu_us_per_request: number;
  /** Peak memory: the cgroup's charge in the chart setting, else VmHWM. */
  peak_mib: number;
  vmhwm_mib: number;
  /** CFS periods in the case, and how many of them were throttled (chart setting). */
  cfs_periods?: number;
  cfs_throttled?: number;
  throttled_ms?: number;
  loadavg: number;
}

const FAILURE_MODE = 'could not evaluate policies';

/** Palisade's (and the null webhook's) answer must be a decision: 200, not the failure mode. */
const decisionCheck: AnswerCheck = (_i, status, body) => {
  if (status !== 200) return `HTTP ${status}`;
  if (body.includes(FAILURE_MODE)) return 'failure mode';
  return undefined;
};
const okCheck: AnswerCheck = (_i, status) => (status === 200 ? undefined : `HTTP ${status}`);

function startNode(name: string, args: string[], portPattern: RegExp, limits?: ChartLimits) {
  const cmd = limits ? limits.command(args) : { file: process.execPath, args };
  const proc = spawn(cmd.file, cmd.args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return listenPort(proc, name, portPattern).then((port) => {
    proc.stdout!.resume();
    proc.stderr!.resume();
    return { proc, port };
  });
}

/** Palisade on a config file, its output drained (never collected). */
async function startPalisadeNode(configFile: string, limits?: ChartLimits) {
  const p = await startWithConfig(configFile, limits);
  p.proc.stdout!.resume();
  p.proc.stderr!.resume();
  return p;
}

/** Resets a process's peak RSS (Linux clear_refs 5), so each case reports its own peak. */
function resetPeak(t: Target): void {
  t.limits?.resetPeak();
  try {
    writeFileSync(`/proc/${t.proc.pid}/clear_refs`, '5');
  } catch {
    // Not permitted here: the peaks accumulate over the run instead.
  }
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

async function load(
  setting: Setting,
  t: Target,
  input: string,
  load: { label: string; rate?: number },
): Promise<CaseResult> {
  resetPeak(t);
  const la = loadavg()[0]!;
  const cpu0 = cpuMs(t.proc.pid!);
  const stat0 = t.limits?.cpuStat();
  const measured = load.rate
    ? await pacedLoad({
        port: t.port,
        path: t.path,
        body: t.body(input),
        check: t.check,
        rate: load.rate,
        durationS: DURATION_S,
        connections: CONNECTIONS,
      }).then((r) => ({
        ...r,
        good: r.sent - r.errors - Object.values(r.unexpected).reduce((a, b) => a + b, 0),
        errors: r.errors + r.non2xx + Object.values(r.unexpected).reduce((a, b) => a + b, 0),
        failure_mode: r.unexpected['failure mode'] ?? 0,
      }))
    : await saturate(t, input);
  const cpu = cpuMs(t.proc.pid!) - cpu0;
  const stat1 = t.limits?.cpuStat();
  const vmhwm = peakRssMiB(t.proc.pid!);
  return {
    setting,
    target: t.name,
    input,
    load: load.label,
    ...(load.rate && { rate: load.rate }),
    rps: measured.rps,
    p50_ms: measured.p50_ms,
    p90_ms: measured.p90_ms,
    p99_ms: measured.p99_ms,
    max_ms: measured.max_ms,
    errors: measured.errors,
    failure_mode: measured.failure_mode,
    cpu_us_per_request: measured.good > 0 ? Math.round((cpu * 1000) / measured.good) : NaN,
    peak_mib: t.limits?.peakMiB() ?? vmhwm,
    vmhwm_mib: vmhwm,
    ...(stat0 &&
      stat1 && {
        cfs_periods: stat1.periods - stat0.periods,
        cfs_throttled: stat1.throttled - stat0.throttled,
        throttled_ms: Math.round(stat1.throttledMs - stat0.throttledMs),
      }),
    loadavg: round(la),
  };
}

/** Closed loop, as fast as the target answers: CONNECTIONS requests in flight at all times. */
async function saturate(t: Target, input: string) {
  const refused: Record<string, number> = {};
  let good = 0;
  const result = await autocannon({
    url: `https://127.0.0.1:${t.port}${t.path}`,
    connections: CONNECTIONS,
    duration: DURATION_S,
    requests: [t.body(input)].flat().map((body) => ({
      method: 'POST' as const,
      path: t.path,
      headers: { 'content-type': 'application/json' },
      body,
      onResponse: (status: number, text: string) => {
        const why = t.check(0, status, text);
        if (why === undefined) good++;
        else refused[why] = (refused[why] ?? 0) + 1;
      },
    })),
  });
  const bad = Object.values(refused).reduce((a, b) => a + b, 0);
  return {
    rps: Math.round(good / DURATION_S),
    good,
    p50_ms: result.latency.p50,
    p90_ms: result.latency.p90,
    p99_ms: result.latency.p99,
    max_ms: result.latency.max,
    errors: result.errors + result.timeouts + bad,
    failure_mode: refused['failure mode'] ?? 0,
  };
}

const ratio = (a: number, b: number) => round(a / b);

function line(r: CaseResult): string {
  const cfs =
    r.cfs_periods === undefined
      ? ''
      : `  throttled ${r.cfs_throttled}/${r.cfs_periods} periods (${r.throttled_ms} ms)`;
  return (
    `${r.setting.padEnd(12)} ${r.target.padEnd(14)} ${r.input.padEnd(10)} ${r.load.padEnd(10)} ` +
    `${String(r.rps).padStart(5)} req/s  p50 ${r.p50_ms} p90 ${r.p90_ms} p99 ${r.p99_ms} max ${r.max_ms} ms  ` +
    `cpu ${r.cpu_us_per_request} µs/req  peak ${r.peak_mib} MiB  errors ${r.errors} ` +
    `(failure mode ${r.failure_mode})${cfs}  load ${r.loadavg}\n`
  );
}

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
  const pools = Object.fromEntries(
    Object.entries(reviews).map(([k, v]) => [
      k,
      distinctTemplates(v, TEMPLATES).map((r) => JSON.stringify(r)),
    ]),
  );
  const set = buildPolicySet(ROOT, join(work, 'x1'), 1, process.env.BENCH_CONFIG);
  const evalInputs = await evaluationInputs(set.configFile, reviews);
  const big =
    SCALE > 1 && reviews.deployment
      ? buildPolicySet(ROOT, join(work, `x${SCALE}`), SCALE, process.env.BENCH_CONFIG)
      : undefined;
  const opaBody = (i: string) => `{"input":${evalInputs[i]!.json}}`;
  const results: CaseResult[] = [];
  const started: Target[] = [];
  const evalUs: Record<string, number> = {};
  for (const input of Object.keys(reviews)) {
    evalUs[input] = await evaluationMicros(set.bundle, evalInputs[input]!);
  }
  const scaledEvalUs = big
    ? await evaluationMicros(
        big.bundle,
        (await evaluationInputs(big.configFile, reviews)).deployment!,
      )
    : undefined;
  process.stderr.write(
    `in-process evaluation (one wasm instance, this thread): ${JSON.stringify(evalUs)} µs` +
      (scaledEvalUs ? `, ${SCALE}x set on the Deployment ${scaledEvalUs} µs` : '') +
      '\n',
  );
  let flood: FloodResult[] = [];
  let gk: GatekeeperBenchResult | undefined;
  let rollout: RolloutResult | undefined;
  try {
    for (const setting of LIMITS) {
      const targets = await startTargets(setting);
      started.push(...targets);
      for (const input of Object.keys(reviews)) {
        const active = targets.filter(
          (x) =>
            (!x.inputs || x.inputs.includes(input)) && TARGETS.some((n) => x.name.startsWith(n)),
        );
        const sat: CaseResult[] = [];
        for (const t of active) {
          const r = await load(setting, t, input, { label: 'saturation' });
          sat.push(r);
          results.push(r);
          process.stderr.write(line(r));
        }
        const own = sat.find((r) => r.target === 'palisade')?.rps;
        if (!own) continue;
        for (const f of PACED) {
          const rate = Math.max(1, Math.round(own * f));
          for (const t of active.filter((x) => !x.saturationOnly)) {
            // A rate past the target's own saturation only queues: its latency is the backlog.
            const own = sat.find((r) => r.target === t.name)?.rps ?? 0;
            if (own < rate) {
              process.stderr.write(
                `${setting.padEnd(12)} ${t.name.padEnd(14)} ${input.padEnd(10)} ${`${f * 100}%`.padEnd(10)} not run: ${rate} req/s is past its saturation rate (${own})\n`,
              );
              continue;
            }
            const r = await load(setting, t, input, { label: `${f * 100}%`, rate });
            results.push(r);
            process.stderr.write(line(r));
          }
        }
      }
      for (const t of targets) await stop(t);
    }
    if (INPUTS.includes('rollout')) {
      rollout = await runRollout({ bundleDir: set.bundle });
      process.stderr.write(rolloutLines(rollout).join('\n') + '\n');
    }
    if (INPUTS.includes('flood')) {
      flood = await runFlood({
        work,
        bundle: set.bundle,
        targets: TARGETS,
        connections: CONNECTIONS,
        durationS: DURATION_S,
      });
    }
    if (INPUTS.includes('gatekeeper')) {
      gk = await runGatekeeperBench({ work, iterations: GK_ITERATIONS, rounds: GK_ROUNDS });
      process.stderr.write(gatekeeperLines(gk));
    }
    writeSummary({ results, evalUs, scaledEvalUs, flood, gk, rollout });
  } finally {
    for (const t of started) await stop(t);
    rmSync(work, { recursive: true, force: true });
  }

  /** The targets of a setting, started and checked to agree before anything is timed. */
  async function startTargets(setting: Setting): Promise<Target[]> {
    const chart = setting === 'chart';
    const limit = (name: string) => (chart ? chartLimits(name) : undefined);
    const dir = join(work, setting);
    mkdirSync(dir, { recursive: true });
    const configFile = (name: string, config: Record<string, unknown>) => {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, stringify(config));
      return file;
    };
    // Rendered once per setting (helm template), then copied per target with its bundle.
    const rendered = chart ? chartConfig(ROOT, set.bundle) : undefined;
    const chartConfigOf = (bundle: string): Record<string, unknown> => ({
      ...structuredClone(rendered!),
      bundle,
    });
    const targets: Target[] = [];
    const want = (name: string) => TARGETS.some((n) => name.startsWith(n));
    const palisade = async (name: string, file: string, extra: Partial<Target> = {}) => {
      const limits = limit(name);
      const p = await startPalisadeNode(file, limits);
      targets.push({
        name,
        ...p,
        path: '/validate',
        body: (i) => pools[i]!,
        check: decisionCheck,
        ...(limits && { limits }),
        ...extra,
      });
    };
    if (want('palisade')) {
      await palisade(
        'palisade',
        chart ? configFile('palisade', chartConfigOf(set.bundle)) : set.configFile,
      );
      if (chart) {
        for (const w of CHART_WORKERS) {
          const config = chartConfigOf(set.bundle);
          const evaluation = { ...(config.evaluation as object), workers: w };
          await palisade(
            `palisade-w${w}`,
            configFile(`palisade-w${w}`, { ...config, evaluation }),
            {
              inputs: ['deployment'],
            },
          );
        }
        // Without the pod-spec cache, and its best case (the same Deployment review again and again).
        const off = chartConfigOf(set.bundle);
        const noCache = {
          ...off,
          evaluation: { ...(off.evaluation as object), podSpecCache: { maxEntries: 0 } },
        };
        await palisade('palisade-nocache', configFile('palisade-nocache', noCache), {
          inputs: ['deployment'],
          saturationOnly: true,
        });
        await palisade('palisade-same', configFile('palisade-same', chartConfigOf(set.bundle)), {
          inputs: ['deployment'],
          saturationOnly: true,
          body: (i) => reviewJson[i]!,
        });
        if (big) {
          await palisade(
            `palisade-x${SCALE}`,
            configFile(`palisade-x${SCALE}`, chartConfigOf(big.bundle)),
            {
              inputs: ['deployment'],
              saturationOnly: true,
            },
          );
        }
      }
    }
    if (want('null')) {
      const limits = limit('null');
      const nul = await startNode(
        'null',
        ['dist/bench/null-webhook.js', '0'],
        /listening (\d+)/,
        limits,
      );
      targets.push({
        name: 'null',
        ...nul,
        path: '/validate',
        body: (i) => pools[i]!,
        check: decisionCheck,
        ...(limits && { limits }),
      });
    }
    if (want('opa')) {
      const limits = limit('opa');
      const opa = await startOpa(ROOT, mkdir(join(dir, 'opa')), set.regoFiles, limits);
      targets.push({
        name: 'opa',
        ...opa,
        path: OPA_PATH,
        body: opaBody,
        check: okCheck,
        ...(limits && { limits }),
      });
      const fairLimits = limit('opa-fair');
      const fair = await startOpaFair(
        ROOT,
        mkdir(join(dir, 'opa-fair')),
        set,
        reviews,
        evalInputs,
        fairLimits,
      );
      targets.push({
        name: 'opa-fair',
        ...fair,
        check: okCheck,
        ...(fairLimits && { limits: fairLimits }),
      });
    }
    // Same answer from Palisade and OPA before timing them (a bench of a broken query proves
    // nothing); opa-fair checked itself against the wasm when it started.
    const pal = targets.find((t) => t.name === 'palisade');
    const opa = targets.find((t) => t.name === 'opa');
    for (const input of Object.keys(reviews)) {
      const p = pal && JSON.parse((await post(pal.port, '/validate', reviewJson[input])).text);
      const o = opa && JSON.parse((await post(opa.port, OPA_PATH, opaBody(input))).text);
      process.stderr.write(
        `${setting} input ${input}: ${reviewJson[input]!.length} bytes, ${evalInputs[input]!.policies} policies apply; ` +
          `palisade allowed=${p?.response?.allowed} warnings=${(p?.response?.warnings ?? []).length}, ` +
          `opa violations=${o ? (Array.isArray(o.result) ? o.result.length : JSON.stringify(o)) : '-'}\n`,
      );
    }
    return targets;
  }
}

function mkdir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function stop(t: Target): Promise<void> {
  const running = t.proc.exitCode === null && t.proc.signalCode === null;
  if (running) {
    const exited = new Promise((done) => t.proc.once('exit', done));
    t.proc.kill('SIGTERM');
    await exited;
  }
  t.limits?.remove();
}

function writeSummary(run: {
  results: CaseResult[];
  evalUs: Record<string, number>;
  scaledEvalUs?: number;
  flood: FloodResult[];
  gk?: GatekeeperBenchResult;
  rollout?: RolloutResult;
}): void {
  const { results, flood, gk } = run;
  const find = (setting: Setting, t: string, input: string, load: string) =>
    results.find(
      (r) => r.setting === setting && r.target === t && r.input === input && r.load === load,
    );
  const summary: Record<string, unknown> = {
    machine: {
      cpus: cpus().length,
      cpu_model: cpus()[0]?.model,
      node: process.version,
      loadavg_at_end: loadavg().map((l) => round(l)),
    },
    duration_s: DURATION_S,
    connections: CONNECTIONS,
    eval_us: run.evalUs,
  };
  for (const setting of LIMITS) {
    const sat = (t: string) => find(setting, t, 'deployment', 'saturation');
    const pal = sat('palisade');
    if (!pal) continue;
    const at50 = find(setting, 'palisade', 'deployment', '50%');
    const nul = sat('null');
    const opa = sat('opa');
    const fair = sat('opa-fair');
    const s: Record<string, unknown> = {
      palisade_rps: pal.rps,
      null_rps: nul?.rps,
      opa_rps: opa?.rps,
      opa_fair_rps: fair?.rps,
      ratio_palisade_to_null: nul && ratio(pal.rps, nul.rps),
      ratio_palisade_to_opa: opa && ratio(pal.rps, opa.rps),
      ratio_palisade_to_opa_fair: fair && ratio(pal.rps, fair.rps),
      palisade_p99_ms_at_50pct: at50?.p99_ms,
      palisade_failure_mode_at_50pct: at50?.failure_mode,
      palisade_cpu_us_per_request: pal.cpu_us_per_request,
      null_cpu_us_per_request: nul?.cpu_us_per_request,
      eval_us_deployment: run.evalUs.deployment,
      // Target: Palisade's CPU per request ≤ 1.5 × (the null webhook's + one evaluation's).
      ratio_cpu_to_null_plus_eval:
        nul && run.evalUs.deployment !== undefined
          ? ratio(pal.cpu_us_per_request, nul.cpu_us_per_request + run.evalUs.deployment)
          : undefined,
      palisade_peak_mib: Math.max(
        ...results
          .filter((r) => r.setting === setting && r.target.startsWith('palisade'))
          .map((r) => r.peak_mib),
      ),
      failure_mode_answers: results
        .filter((r) => r.setting === setting && r.target.startsWith('palisade'))
        .reduce((n, r) => n + r.failure_mode, 0),
    };
    const scaled = sat(`palisade-x${SCALE}`);
    if (scaled) {
      Object.assign(s, {
        scale: SCALE,
        scaled_rps: scaled.rps,
        scaled_cpu_us_per_request: scaled.cpu_us_per_request,
        ratio_scaled_cpu: ratio(scaled.cpu_us_per_request, pal.cpu_us_per_request),
        scaled_eval_us: run.scaledEvalUs,
      });
    }
    for (const w of CHART_WORKERS) {
      const v = sat(`palisade-w${w}`);
      if (!v) continue;
      s[`workers_${w}_rps`] = v.rps;
      s[`workers_${w}_p99_ms_at_50pct`] = find(
        setting,
        `palisade-w${w}`,
        'deployment',
        '50%',
      )?.p99_ms;
      s[`workers_${w}_cpu_us_per_request`] = v.cpu_us_per_request;
    }
    const noCache = sat('palisade-nocache');
    if (noCache) {
      s.nocache_rps = noCache.rps;
      s.nocache_cpu_us_per_request = noCache.cpu_us_per_request;
    }
    const same = sat('palisade-same');
    if (same) {
      s.same_review_rps = same.rps;
      s.same_review_cpu_us_per_request = same.cpu_us_per_request;
    }
    summary[setting === 'chart' ? 'chart_limits' : 'unrestricted'] = s;
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
  if (run.rollout) summary.rollout = run.rollout;
  summary.results = results;
  const out = process.env.BENCH_RESULTS ?? join(ROOT, 'bench', 'results.json');
  writeFileSync(out, JSON.stringify(summary, null, 2) + '\n');
  process.stdout.write(
    JSON.stringify({ ...summary, results: undefined, flood: undefined }, null, 2) + '\n',
  );
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
