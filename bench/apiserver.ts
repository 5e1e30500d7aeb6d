// npm run bench:apiserver: what Palisade adds to a request through the real apiserver
// (scripts/cluster.sh: etcd + kube-apiserver on loopback). Times, from a Node HTTPS client with
// the admin certificate of .tools/cluster/kubeconfig, sequential dry-run Pod creates
// (POST .../pods?dryRun=All, a Pod the built-in library allows) in a namespace of our own, with
// Palisade registered as a validating webhook for that namespace and without it, alternating in
// rounds so drift on the machine hits both; prints the medians and their difference, and the
// median of Palisade's own handling time (durationMs of its decision log), and writes
// bench/apiserver.json. Palisade runs as the chart runs it: on the config the chart renders
// (chart-config.ts) and inside the chart's CPU quota and memory limit (chart-limits.ts).
// A third phase registers the null webhook (null-webhook.ts: same stack, allows at once) the same
// way, under the same limits in a cgroup of its own, in the same rounds (the phases' order turns
// each round): the overhead of any webhook on this stack, the floor of Palisade's; the summary
// gives Palisade's overhead beyond it (difference and ratio).
//
// Env: BENCH_APISERVER_REQUESTS (per phase, default 300), BENCH_APISERVER_ROUNDS (default 3),
// BENCH_APISERVER_LIMITS (chart, the default, or unrestricted: the default config on every core),
// BENCH_CONFIG (Palisade config of the unrestricted case; server.tls and watch are set here).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  registerWebhook,
  unregisterWebhook,
  waitWebhook,
  type BenchWebhook,
} from './bench-webhook';
import { podReview } from './inputs';
import { chartConfig } from './chart-config';
import { chartLimits, type ChartLimits } from './chart-limits';
import { decisionDurations, startPalisade } from './palisade-process';
import { quantile } from './quantile';
import { useLocalCluster } from '../test/support/cluster';
import { ensureNamespace, kubeApi, type KubeApi as Api } from '../test/support/kube-api';
import { writeServingCert } from '../test/support/serving-cert';
import { ROOT } from '../test/support/root';

const REQUESTS = Number(process.env.BENCH_APISERVER_REQUESTS ?? 300);
const ROUNDS = Number(process.env.BENCH_APISERVER_ROUNDS ?? 3);
const NS = 'palisade-bench-apiserver';
const LIMITS = process.env.BENCH_APISERVER_LIMITS ?? 'chart';

function compliantPod(): Record<string, unknown> {
  const pod = structuredClone(podReview().request.object) as {
    metadata: Record<string, unknown>;
    spec: Record<string, unknown>;
  };
  delete pod.metadata.namespace;
  delete pod.spec.serviceAccountName;
  return pod;
}

const privilegedPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'bench-probe' },
  spec: {
    containers: [
      { name: 'app', image: 'registry.k8s.io/pause:3.10', securityContext: { privileged: true } },
    ],
  },
};

const podsPath = `/api/v1/namespaces/${NS}/pods?dryRun=All`;

const WEBHOOK: BenchWebhook = {
  configName: 'palisade-bench-apiserver',
  webhook: 'bench.palisade.dev',
  namespaceLabel: ['palisade.dev/bench', 'apiserver'],
  resources: [{ group: '', version: 'v1', resource: 'pods' }],
  probe: { path: podsPath, object: privilegedPod },
};

async function timeRequests(api: Api, n: number): Promise<number[]> {
  const pod = compliantPod();
  const ms: number[] = [];
  for (let i = 0; i < n + 20; i++) {
    const start = process.hrtime.bigint();
    const r = await api.call('POST', podsPath, pod);
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 201) throw new Error(`dry-run create: HTTP ${r.status}: ${r.text}`);
    if (i >= 20) ms.push(elapsed); // the first 20 warm the connection and caches
  }
  return ms;
}

interface Running {
  stop: () => void;
  url: string;
  ca: string;
  /** durationMs of each decision on the timed Pod (Palisade's own handling, from its log). */
  handlerMs: number[];
}

async function startBenchPalisade(dir: string, limits?: ChartLimits): Promise<Running> {
  const { certFile, keyFile, caPem } = writeServingCert(dir, 'tls');
  const tls = { certFile, keyFile };
  const settings = limits
    ? (() => {
        const config = chartConfig(ROOT, join(ROOT, 'dist', 'bundle'));
        return { ...config, server: { ...(config.server as object), tls } };
      })()
    : { watch: false, server: { tls } };
  const { proc, port } = await startPalisade(dir, settings, limits);
  proc.stderr!.resume();
  const handlerMs = decisionDurations(proc, 'checkout');
  return {
    stop: () => {
      proc.kill('SIGTERM');
      proc.once('exit', () => limits?.remove());
    },
    url: `https://127.0.0.1:${port}/validate`,
    ca: caPem,
    handlerMs,
  };
}

interface NullWebhook {
  stop: () => void;
  url: string;
  ca: string;
}

/** The null webhook on a certificate of a CA the apiserver is given, denying only the probe. */
async function startNullWebhook(dir: string, limits?: ChartLimits): Promise<NullWebhook> {
  const { certFile, keyFile, caPem } = writeServingCert(dir, 'null-tls');
  const args = [
    join(ROOT, 'dist', 'bench', 'null-webhook.js'),
    '0',
    '--tls-cert',
    certFile,
    '--tls-key',
    keyFile,
    '--deny-name',
    privilegedPod.metadata.name,
  ];
  const cmd = limits ? limits.command(args) : { file: process.execPath, args };
  const proc = spawn(cmd.file, cmd.args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`null webhook exited (${code}): ${err}`)));
  });
  proc.stdout!.resume();
  return {
    stop: () => {
      proc.kill('SIGTERM');
      proc.once('exit', () => limits?.remove());
    },
    url: `https://127.0.0.1:${port}/validate`,
    ca: caPem,
  };
}

const ms3 = (x: number) => Math.round(x * 1000) / 1000;
/** a / b to 2 decimals; null when b is not positive (no overhead to compare with). */
const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : null);

async function main() {
  const cluster = useLocalCluster();
  const api = kubeApi(cluster.kubeconfig, 1);
  await ensureNamespace(api, NS, { [WEBHOOK.namespaceLabel[0]]: WEBHOOK.namespaceLabel[1] });
  const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-apiserver-'));
  const limits = LIMITS === 'chart' ? chartLimits('apiserver') : undefined;
  const palisade = await startBenchPalisade(dir, limits);
  const nullLimits = LIMITS === 'chart' ? chartLimits('apiserver-null') : undefined;
  const nul = await startNullWebhook(dir, nullLimits).catch((err: unknown) => {
    palisade.stop();
    throw err;
  });
  const without: number[] = [];
  const withPalisade: number[] = [];
  const withNull: number[] = [];
  let throttling: ReturnType<ChartLimits['cpuStat']> | undefined;
  let nullThrottling: ReturnType<ChartLimits['cpuStat']> | undefined;
  const phases = [
    { samples: without },
    { samples: withPalisade, webhook: palisade },
    { samples: withNull, webhook: nul },
  ];
  try {
    await unregisterWebhook(api, WEBHOOK);
    for (let round = 1; round <= ROUNDS; round++) {
      for (let k = 0; k < phases.length; k++) {
        const phase = phases[(round - 1 + k) % phases.length]!;
        // No configuration, and the previous one no longer in effect (both webhooks deny the
        // probe, so a stale one would pass for the new one).
        await waitWebhook(api, WEBHOOK, false);
        if (phase.webhook) {
          await registerWebhook(api, WEBHOOK, phase.webhook.url, phase.webhook.ca);
          await waitWebhook(api, WEBHOOK, true);
        }
        phase.samples.push(...(await timeRequests(api, REQUESTS)));
        if (phase.webhook) await unregisterWebhook(api, WEBHOOK);
      }
      process.stderr.write(
        `round ${round}: without ${quantile(without, 0.5)} ms, with ${quantile(withPalisade, 0.5)} ms, ` +
          `null ${quantile(withNull, 0.5)} ms (medians so far)\n`,
      );
    }
  } finally {
    await unregisterWebhook(api, WEBHOOK).catch(() => undefined);
    throttling = limits?.cpuStat();
    nullThrottling = nullLimits?.cpuStat();
    palisade.stop();
    nul.stop();
    api.close();
    cluster.release();
    rmSync(dir, { recursive: true, force: true });
  }
  const summary = {
    machine: { cpus: cpus().length, node: process.version, loadavg_at_end: loadavg() },
    palisade_limits: limits
      ? { how: limits.how, cpus: limits.cpus, memory_mib: limits.memoryMiB }
      : 'unrestricted',
    requests_per_phase: REQUESTS,
    rounds: ROUNDS,
    without_median_ms: quantile(without, 0.5),
    without_p90_ms: quantile(without, 0.9),
    with_median_ms: quantile(withPalisade, 0.5),
    without_p99_ms: quantile(without, 0.99),
    with_p90_ms: quantile(withPalisade, 0.9),
    with_p99_ms: quantile(withPalisade, 0.99),
    palisade_handler_median_ms: quantile(palisade.handlerMs, 0.5),
    overhead_median_ms:
      Math.round((quantile(withPalisade, 0.5) - quantile(without, 0.5)) * 1000) / 1000,
    overhead_p99_ms:
      Math.round((quantile(withPalisade, 0.99) - quantile(without, 0.99)) * 1000) / 1000,
    palisade_handler_p99_ms: quantile(palisade.handlerMs, 0.99),
    cfs_throttled: throttling,
    null_median_ms: quantile(withNull, 0.5),
    null_p90_ms: quantile(withNull, 0.9),
    null_p99_ms: quantile(withNull, 0.99),
    null_overhead_median_ms: ms3(quantile(withNull, 0.5) - quantile(without, 0.5)),
    null_overhead_p99_ms: ms3(quantile(withNull, 0.99) - quantile(without, 0.99)),
    /** Palisade's overhead beyond the null webhook's: with_* - null_*. */
    beyond_null_median_ms: ms3(quantile(withPalisade, 0.5) - quantile(withNull, 0.5)),
    beyond_null_p99_ms: ms3(quantile(withPalisade, 0.99) - quantile(withNull, 0.99)),
    /** Palisade's overhead over the null webhook's (overhead_* / null_overhead_*). */
    overhead_ratio_to_null_median: ratio(
      quantile(withPalisade, 0.5) - quantile(without, 0.5),
      quantile(withNull, 0.5) - quantile(without, 0.5),
    ),
    overhead_ratio_to_null_p99: ratio(
      quantile(withPalisade, 0.99) - quantile(without, 0.99),
      quantile(withNull, 0.99) - quantile(without, 0.99),
    ),
    null_cfs_throttled: nullThrottling,
  };
  writeFileSync(join(ROOT, 'bench', 'apiserver.json'), JSON.stringify(summary, null, 2) + '\n');
  process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
}

main().catch((err) => {
  process.stderr.write(
    `bench:apiserver failed: ${err instanceof Error ? err.stack : String(err)}\n`,
  );
  process.exit(1);
});
