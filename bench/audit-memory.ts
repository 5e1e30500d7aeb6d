// npm run bench:audit-memory: the audit's memory on 20,000 objects from the real apiserver
// (scripts/cluster.sh). Creates BENCH_AUDIT_OBJECTS Pods (default 20,000; every tenth one
// privileged) in a namespace of its own, then runs Palisade twice with the same policies: once
// idle (audit off) and once auditing that namespace (audit.namespaces), sampling its resident
// set (/proc) and V8 heap (/metrics) every 250 ms until the first full scan's reports are
// written; prints the figures and writes bench/audit-memory.json. Deletes the Pods and reports
// afterwards (the namespace itself stays Terminating: the local cluster has no controllers).
//
// Env: BENCH_AUDIT_OBJECTS, BENCH_AUDIT_POLICIES (comma-separated ids; default two policies, so
// the reports stay small in the shared etcd: the figure is per object and per result).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KUBECONFIG, kubectl, useLocalCluster } from '../test/support/cluster';
import { fetchMetrics, metricValue } from '../test/support/https-client';
import { ensureNamespace, kubeApi, type KubeApi } from '../test/support/kube-api';
import { startPalisade, writeConfigFile, type Palisade } from '../test/support/palisade';
import { startPalisadeProcess } from '../test/support/palisade-process';
import { memoryCgroup } from './memory-cgroup';
import { onlyPolicies } from '../test/support/policy-selection';
import { BUNDLE, ROOT } from '../test/support/root';
import { peakRssMiB } from './rss-samples';

const OBJECTS = Number(process.env.BENCH_AUDIT_OBJECTS ?? 20_000);
const POLICIES = (process.env.BENCH_AUDIT_POLICIES ?? 'pss-baseline-privileged,disallow-latest-tag')
  .split(',')
  .filter(Boolean);
const NS = `palisade-bench-audit-${Date.now().toString(36)}`;
const EMPTY = `${NS}-empty`;
const CONCURRENCY = 16;
const MiB = 1024 * 1024;
/** The chart's memory limit (values.yaml resources.limits.memory): the audit run inside it. */
const LIMIT_MIB = Number(process.env.BENCH_AUDIT_LIMIT_MIB ?? 256);

function pod(i: number): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p-${i}`, labels: { app: `app-${i % 50}`, tier: 'bench' } },
    spec: {
      containers: [
        {
          name: 'app',
          image: i % 7 === 0 ? 'registry.example.com/app:latest' : 'registry.example.com/app:1.4.2',
          ports: [{ containerPort: 8080 }],
          resources: { limits: { cpu: '500m', memory: '256Mi' } },
          env: [{ name: 'INDEX', value: String(i) }],
          ...(i % 10 === 0 ? { securityContext: { privileged: true } } : {}),
        },
      ],
    },
  };
}

async function createPods(api: KubeApi): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < OBJECTS) {
      const i = next++;
      const r = await api.call('POST', `/api/v1/namespaces/${NS}/pods`, pod(i));
      if (r.status !== 201) throw new Error(`pod ${i}: HTTP ${r.status}: ${r.text}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/**
 * Deletes the bench's Pods: one deletecollection stops at the apiserver's request timeout (60 s)
 * with Pods left, so it is repeated until the list is empty (bounded: 30 rounds).
 */
async function deletePods(api: KubeApi): Promise<void> {
  for (let round = 0; round < 30; round++) {
    const left = await api.call('GET', `/api/v1/namespaces/${NS}/pods?limit=1`);
    if ((left.body as { items?: unknown[] }).items?.length === 0) return;
    await kubectl(['delete', '--raw', `/api/v1/namespaces/${NS}/pods`]);
  }
  process.stderr.write(
    `pods are left in ${NS}: delete them with kubectl delete pods --all -n ${NS}\n`,
  );
}

interface Sample {
  rssMiB: number;
  heapUsedMiB: number;
}

async function sample(p: Palisade): Promise<Sample> {
  const text = await fetchMetrics(p.port, p.ca.certPem);
  return {
    rssMiB: (metricValue(text, 'palisade_process_resident_memory_bytes') ?? 0) / MiB,
    heapUsedMiB: (metricValue(text, 'palisade_nodejs_heap_size_used_bytes') ?? 0) / MiB,
  };
}

function config(audit: boolean, namespace = NS): Record<string, unknown> {
  return {
    bundle: BUNDLE,
    logLevel: 'info',
    policies: onlyPolicies(Object.fromEntries(POLICIES.map((id) => [id, {}]))),
    kubernetes: { kubeconfig: KUBECONFIG },
    audit: { enabled: audit, namespaces: [namespace], lease: { name: NS, namespace: NS } },
  };
}

/** Samples until `done` resolves; the largest of each. */
async function sampleUntil(p: Palisade, done: Promise<unknown>) {
  let finished = false;
  void done.then(() => (finished = true));
  const max = { rssMiB: 0, heapUsedMiB: 0 };
  while (!finished) {
    const s = await sample(p);
    max.rssMiB = Math.max(max.rssMiB, s.rssMiB);
    max.heapUsedMiB = Math.max(max.heapUsedMiB, s.heapUsedMiB);
    await new Promise((r) => setTimeout(r, 250));
  }
  return max;
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * The same audit in a memory cgroup of LIMIT_MIB, as the kubelet runs a container: Node sizes its
 * heap from the limit and the kernel enforces it. The cgroup's peak, and whether it was killed.
 */
async function auditInCgroup(): Promise<Record<string, unknown>> {
  const cg = memoryCgroup('audit', LIMIT_MIB);
  if ('unavailable' in cg) return { unavailable: cg.unavailable };
  const dir = mkdtempSync(join(tmpdir(), 'palisade-bench-audit-'));
  try {
    const file = writeConfigFile(dir, { ...config(true, NS), server: { drainDelaySeconds: 0 } });
    const p = await startPalisadeProcess({ args: ['--config', file, '--port', '0'], inside: cg });
    const outcome = await Promise.race([
      p.logged('audit: reports written').then(() => 'reports written'),
      p.exited.then((code) => `exited (${code})`),
    ]);
    await p.stop();
    return { limitMiB: LIMIT_MIB, outcome, peakMiB: cg.peakMiB(), oomKills: cg.oomKills() };
  } finally {
    cg.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const cluster = useLocalCluster();
  const api = kubeApi(KUBECONFIG, CONCURRENCY);
  try {
    await ensureNamespace(api, NS, {});
    await ensureNamespace(api, EMPTY, {});
    const t0 = Date.now();
    await createPods(api);
    process.stderr.write(`created ${OBJECTS} pods in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);

    const idle = await startPalisade({ config: config(false) });
    const idleSample = await sample(idle);
    const idlePeak = peakRssMiB(idle.process.proc.pid!);
    await idle.stop();

    // The audit's fixed cost (the Kubernetes client, discovery, watches) on an empty namespace.
    const empty = await startPalisade({ config: config(true, EMPTY) });
    await empty.waitForLog((l) => l.msg === 'audit: scan complete', 120_000);
    const emptySample = await sample(empty);
    const emptyPeak = peakRssMiB(empty.process.proc.pid!);
    await empty.stop();

    const p = await startPalisade({ config: config(true, NS) });
    const written = p.waitForLog((l) => l.msg === 'audit: reports written', 600_000);
    const max = await sampleUntil(p, written);
    const scan = p.logLines().find((l) => l.msg === 'audit: scan complete') ?? {};
    const after = await sample(p);
    const peak = peakRssMiB(p.process.proc.pid!);
    await p.stop();

    const limited = await auditInCgroup();

    const result = {
      objects: OBJECTS,
      policies: POLICIES,
      results: OBJECTS * POLICIES.length,
      scanSeconds: round(Number((scan as { durationSeconds?: number }).durationSeconds ?? 0)),
      idle: {
        rssMiB: round(idleSample.rssMiB),
        peakRssMiB: idlePeak,
        heapUsedMiB: round(idleSample.heapUsedMiB),
      },
      auditEmptyNamespace: {
        rssMiB: round(emptySample.rssMiB),
        peakRssMiB: emptyPeak,
        heapUsedMiB: round(emptySample.heapUsedMiB),
      },
      audit: {
        peakRssMiB: peak,
        maxSampledRssMiB: round(max.rssMiB),
        maxSampledHeapUsedMiB: round(max.heapUsedMiB),
        afterScan: { rssMiB: round(after.rssMiB), heapUsedMiB: round(after.heapUsedMiB) },
      },
      auditInMemoryLimit: limited,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(join(ROOT, 'bench', 'audit-memory.json'), `${JSON.stringify(result, null, 2)}\n`);
  } catch (err) {
    process.stderr.write(
      `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  } finally {
    await deletePods(api);
    await kubectl(['delete', 'reports.openreports.io', '--all', '-n', NS]);
    await kubectl(['delete', 'namespace', NS, EMPTY, '--wait=false']);
    api.close();
    cluster.release();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
