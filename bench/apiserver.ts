// npm run bench:apiserver: what Palisade adds to a request through the real apiserver
// (scripts/cluster.sh: etcd + kube-apiserver on loopback). Times, from a Node HTTPS client with
// the admin certificate of .tools/cluster/kubeconfig, sequential dry-run Pod creates
// (POST .../pods?dryRun=All, a Pod the built-in library allows) in a namespace of our own, with
// Palisade registered as a validating webhook for that namespace and without it, alternating in
// rounds so drift on the machine hits both; prints the medians and their difference, and the
// median of Palisade's own handling time (durationMs of its decision log), and writes
// bench/apiserver.json.
//
// Env: BENCH_APISERVER_REQUESTS (per phase, default 300), BENCH_APISERVER_ROUNDS (default 3),
// BENCH_CONFIG (Palisade config; server.tls and watch are set here).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { httpsCall, type HttpsReply } from './https-call';
import { podReview } from './inputs';
import { writeServingCert } from './serving-cert';
import { listenPort, PALISADE_PORT } from './listen-port';

const ROOT = join(__dirname, '..', '..');
const REQUESTS = Number(process.env.BENCH_APISERVER_REQUESTS ?? 300);
const ROUNDS = Number(process.env.BENCH_APISERVER_ROUNDS ?? 3);
const NS = 'palisade-bench-apiserver';
const WEBHOOK = 'bench.palisade.dev';
const CONFIG_NAME = 'palisade-bench-apiserver';

interface Api {
  call(method: string, path: string, body?: unknown): Promise<HttpsReply>;
}

function apiClient(kubeconfigFile: string): Api {
  const kc = parseYaml(readFileSync(kubeconfigFile, 'utf8'));
  const cluster = kc.clusters[0].cluster;
  const user = kc.users[0].user;
  const b64 = (s: string) => Buffer.from(s, 'base64');
  const server = new URL(cluster.server);
  // One kept-alive connection: sequential requests, as a controller's client would send them.
  const agent = new Agent({
    keepAlive: true,
    maxSockets: 1,
    ca: b64(cluster['certificate-authority-data']),
    cert: b64(user['client-certificate-data']),
    key: b64(user['client-key-data']),
  });
  return {
    call: (method, path, body) =>
      httpsCall(
        { host: server.hostname, port: server.port, path, method, agent },
        body === undefined ? undefined : JSON.stringify(body),
      ),
  };
}

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

/** Polls until the webhook is (or is no longer) in effect for our namespace. */
async function waitWebhook(api: Api, active: boolean): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const r = await api.call('POST', podsPath, privilegedPod);
    const denied = r.status === 403 && r.body.includes(WEBHOOK);
    if (denied === active) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`webhook did not become ${active ? 'active' : 'inactive'}`);
}

async function timeRequests(api: Api, n: number): Promise<number[]> {
  const pod = compliantPod();
  const ms: number[] = [];
  for (let i = 0; i < n + 20; i++) {
    const start = process.hrtime.bigint();
    const r = await api.call('POST', podsPath, pod);
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 201) throw new Error(`dry-run create: HTTP ${r.status}: ${r.body}`);
    if (i >= 20) ms.push(elapsed); // the first 20 warm the connection and caches
  }
  return ms;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))]! * 1000) / 1000;
};

interface Running {
  stop: () => void;
  url: string;
  ca: string;
  /** durationMs of each decision on the timed Pod (Palisade's own handling, from its log). */
  handlerMs: number[];
}

async function startPalisade(dir: string): Promise<Running> {
  const { certFile, keyFile, caPem } = writeServingCert(dir, 'tls');
  const base = process.env.BENCH_CONFIG
    ? (parseYaml(readFileSync(process.env.BENCH_CONFIG, 'utf8')) as Record<string, unknown>)
    : {};
  const configFile = join(dir, 'config.yaml');
  writeFileSync(
    configFile,
    toYaml({ ...base, watch: false, server: { tls: { certFile, keyFile } } }),
  );
  const proc = spawn(
    process.execPath,
    ['dist/src/main.js', '--config', configFile, '--port', '0'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const port = await listenPort(proc, 'palisade', PALISADE_PORT);
  proc.stderr!.resume();
  const handlerMs: number[] = [];
  let partial = '';
  proc.stdout!.on('data', (c: Buffer) => {
    const lines = (partial + c.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (!line.includes('"admission decision"') || !line.includes('"name":"checkout"')) continue;
      const ms = (JSON.parse(line) as { durationMs?: number }).durationMs;
      if (typeof ms === 'number') handlerMs.push(ms);
    }
  });
  return {
    stop: () => proc.kill('SIGTERM'),
    url: `https://127.0.0.1:${port}/validate`,
    ca: caPem,
    handlerMs,
  };
}

function webhookConfig(url: string, caPem: string) {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: CONFIG_NAME },
    webhooks: [
      {
        name: WEBHOOK,
        clientConfig: { url, caBundle: Buffer.from(caPem).toString('base64') },
        rules: [
          {
            apiGroups: [''],
            apiVersions: ['v1'],
            resources: ['pods'],
            operations: ['CREATE'],
            scope: 'Namespaced',
          },
        ],
        namespaceSelector: { matchLabels: { 'palisade.dev/bench': 'apiserver' } },
        failurePolicy: 'Fail',
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        timeoutSeconds: 5,
      },
    ],
  };
}

async function main() {
  // Starts the cluster, or reuses the running one.
  execFileSync('bash', [join(ROOT, 'scripts', 'cluster.sh'), 'up'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const kubeconfig = join(ROOT, '.tools', 'cluster', 'kubeconfig');
  const api = apiClient(kubeconfig);
  const ns = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: NS, labels: { 'palisade.dev/bench': 'apiserver' } },
  };
  const created = await api.call('POST', '/api/v1/namespaces', ns);
  if (created.status !== 201 && created.status !== 409)
    throw new Error(`namespace: ${created.body}`);
  const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-apiserver-'));
  const palisade = await startPalisade(dir);
  const vwc = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';
  const without: number[] = [];
  const withPalisade: number[] = [];
  try {
    await api.call('DELETE', `${vwc}/${CONFIG_NAME}`);
    for (let round = 1; round <= ROUNDS; round++) {
      await waitWebhook(api, false);
      without.push(...(await timeRequests(api, REQUESTS)));
      const r = await api.call('POST', vwc, webhookConfig(palisade.url, palisade.ca));
      if (r.status !== 201) throw new Error(`webhook configuration: ${r.body}`);
      await waitWebhook(api, true);
      withPalisade.push(...(await timeRequests(api, REQUESTS)));
      await api.call('DELETE', `${vwc}/${CONFIG_NAME}`);
      process.stderr.write(
        `round ${round}: without ${quantile(without, 0.5)} ms, with ${quantile(withPalisade, 0.5)} ms (medians so far)\n`,
      );
    }
  } finally {
    await api.call('DELETE', `${vwc}/${CONFIG_NAME}`).catch(() => undefined);
    palisade.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const summary = {
    machine: { cpus: cpus().length, node: process.version, loadavg_at_end: loadavg() },
    requests_per_phase: REQUESTS,
    rounds: ROUNDS,
    without_median_ms: quantile(without, 0.5),
    without_p90_ms: quantile(without, 0.9),
    with_median_ms: quantile(withPalisade, 0.5),
    with_p90_ms: quantile(withPalisade, 0.9),
    palisade_handler_median_ms: quantile(palisade.handlerMs, 0.5),
    overhead_median_ms:
      Math.round((quantile(withPalisade, 0.5) - quantile(without, 0.5)) * 1000) / 1000,
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
