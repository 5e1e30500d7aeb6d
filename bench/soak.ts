// npm run bench:soak: is Palisade's memory flat under steady load? Runs Palisade (the built
// bundle, BENCH_CONFIG if set) under a fixed, evenly paced rate of Deployment reviews and samples its resident
// set size at a fixed interval; prints first / last / max and the slope (least squares, MiB per
// minute, over the samples after the first minute, when start-up and JIT warm-up are over), and
// writes bench/soak.json.
//
// BENCH_SOAK_THROUGH=apiserver sends the load through the real kube-apiserver of the local
// cluster instead (soak-apiserver.ts: dry-run creates, allowed and denied in turn, every answer
// checked) and writes bench/soak-apiserver.json.
//
// Env: BENCH_SOAK_THROUGH (`palisade`, the default, or `apiserver`), BENCH_SOAK_DURATION
// (seconds, default 600), BENCH_SOAK_RATE (req/s, default 500; 50 through the apiserver),
// BENCH_SOAK_INTERVAL (seconds between samples, default 5), BENCH_CONNECTIONS (default 16).
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { deploymentReview } from './inputs';
import { pacedLoad, type PacedResult } from './paced-load';
import { decisionDurations, startPalisade } from './palisade-process';
import { quantile } from './quantile';
import { sampleRss, summarizeRss } from './rss-samples';
import { useLocalCluster, type LocalCluster } from '../test/support/cluster';
import { kubeAccess, type KubeAccess } from '../test/support/kube-api';
import { writeServingCert } from '../test/support/serving-cert';
import { apiserverTarget, type ApiserverTarget } from './soak-apiserver';
import { ROOT } from '../test/support/root';

const THROUGH = process.env.BENCH_SOAK_THROUGH ?? 'palisade';
const VIA_APISERVER = THROUGH === 'apiserver';
const DURATION_S = Number(process.env.BENCH_SOAK_DURATION ?? 600);
const RATE = Number(process.env.BENCH_SOAK_RATE ?? (VIA_APISERVER ? 50 : 500));
const INTERVAL_S = Number(process.env.BENCH_SOAK_INTERVAL ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const WARM_UP_S = Math.min(60, DURATION_S / 4);
const RESULT = join(ROOT, 'bench', VIA_APISERVER ? 'soak-apiserver.json' : 'soak.json');

async function main() {
  if (THROUGH !== 'palisade' && !VIA_APISERVER)
    throw new Error(`BENCH_SOAK_THROUGH must be palisade or apiserver, not ${THROUGH}`);
  // The cluster first: starting it is not part of the soak.
  const cluster: LocalCluster | undefined = VIA_APISERVER ? useLocalCluster() : undefined;
  const access: KubeAccess | undefined = cluster && kubeAccess(cluster.kubeconfig);
  // A private copy of the bundle and no file watching: a rebuild of dist/ during the soak must not
  // reload policies (a reload replaces the worker pool, which shows as a step in RSS).
  const work = mkdtempSync(join(tmpdir(), 'palisade-soak-'));
  cpSync(join(ROOT, 'dist', 'bundle'), join(work, 'bundle'), { recursive: true });
  // The apiserver verifies Palisade's certificate: one for 127.0.0.1 and its CA for the caBundle.
  const cert = access ? writeServingCert(work, 'tls') : undefined;
  const tls = cert && { server: { tls: { certFile: cert.certFile, keyFile: cert.keyFile } } };
  const { proc, port } = await startPalisade(work, {
    bundle: join(work, 'bundle'),
    watch: false,
    ...tls,
  });
  // Through the apiserver, Palisade's own handling time tells its share of the latency.
  const handlerMs = access ? decisionDurations(proc, 'checkout') : undefined;
  if (!handlerMs) proc.stdout!.resume();
  // Keep the end of stderr and the exit: if Palisade dies mid-soak, say how.
  let stderrTail = '';
  proc.stderr!.on('data', (c: Buffer) => (stderrTail = (stderrTail + c.toString()).slice(-4000)));
  let stopping = false;
  proc.once('exit', (code, signal) => {
    if (stopping) return;
    process.stderr.write(
      `palisade exited mid-soak: code ${code} signal ${signal}\n${stderrTail}\n`,
    );
    process.exit(1);
  });
  let target: ApiserverTarget | undefined;
  let result: PacedResult;
  let rss: ReturnType<typeof sampleRss> | undefined;
  try {
    if (access)
      target = await apiserverTarget(access, `https://127.0.0.1:${port}/validate`, cert!.caPem);
    rss = sampleRss(proc.pid!, INTERVAL_S);
    result = target
      ? await target.load(RATE, DURATION_S, CONNECTIONS)
      : await pacedLoad({
          port,
          path: '/validate',
          body: JSON.stringify(deploymentReview()),
          rate: RATE,
          durationS: DURATION_S,
          connections: CONNECTIONS,
        });
    rss.stop(true);
  } finally {
    rss?.stop(false);
    stopping = true;
    await target?.close();
    proc.kill('SIGTERM');
    cluster?.release();
    rmSync(work, { recursive: true, force: true });
  }
  const unexpected = Object.values(result.unexpected).reduce((s, n) => s + n, 0);
  const summary = {
    machine: { cpus: cpus().length, node: process.version, loadavg_at_end: loadavg() },
    through: THROUGH,
    duration_s: DURATION_S,
    rate: RATE,
    interval_s: INTERVAL_S,
    sent: result.sent,
    achieved_rps: result.rps,
    p50_ms: result.p50_ms,
    p99_ms: result.p99_ms,
    max_ms: result.max_ms,
    errors: result.errors,
    non2xx: result.non2xx,
    ...(handlerMs && {
      unexpected_total: unexpected,
      unexpected: result.unexpected,
      palisade_handler_ms: {
        p50: quantile(handlerMs, 0.5),
        p99: quantile(handlerMs, 0.99),
        max: quantile(handlerMs, 1),
      },
    }),
    ...summarizeRss(rss.samples, WARM_UP_S),
    samples: rss.samples,
  };
  writeFileSync(RESULT, JSON.stringify(summary, null, 2) + '\n');
  process.stdout.write(JSON.stringify({ ...summary, samples: undefined }, null, 2) + '\n');
}

main().catch((err) => {
  process.stderr.write(`soak failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
