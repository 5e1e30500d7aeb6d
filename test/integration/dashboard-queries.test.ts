// Every PromQL query of the chart's Grafana dashboard, run by a real Prometheus (built pinned by
// `scripts/tools.sh prometheus`) that scrapes a real Palisade process over verified HTTPS while
// it serves admission load: allowed and denied reviews, a review that fails decoding (an error
// answer), a certificate replaced in place (a reload), a bundle from an HTTPS source (bundle
// revision and age). Each query must return data; Prometheus' scrapes are waited on by polling
// its HTTP API with a bound, never by sleeping a fixed time.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { find, render } from '../chart/render';
import { freePort } from '../support/free-port';
import { postReview } from '../support/https-client';
import { startPalisade, type Palisade } from '../support/palisade';
import { PROMETHEUS_BIN, requireTool } from '../support/prometheus';
import {
  BundleServer,
  archiveOf,
  bundleVariant,
  privilegedLatestPod,
  signingKey,
} from './bundle-source-fixtures';

// The background audit's gauges are set only by a replica that audits a cluster (docs/audit.md;
// the e2e tests cover it): here their queries must be valid and answered, not hold data.
const AUDIT_ONLY = /palisade_audit_/;

interface Query {
  panel: string;
  expr: string;
}
interface Answer {
  status: string;
  error?: string;
  data?: { resultType: string; result: unknown[] };
}

let work: string;
let palisade: Palisade;
let bundles: BundleServer;
let prometheus: ChildProcess;
let api: string;
let prometheusLog = '';
const queries: Query[] = [];

/** The dashboard's queries with Grafana's variables filled in as a user's "All" would. */
function dashboardQueries(): Query[] {
  const cm = find(
    render({ set: { 'dashboard.enabled': true } }),
    'ConfigMap',
    'palisade-dashboard',
  );
  const d = JSON.parse(cm.data['palisade.json']) as {
    panels: { title: string; targets: { expr: string }[] }[];
  };
  return d.panels.flatMap((p) =>
    p.targets.map((t) => ({
      panel: p.title,
      expr: t.expr.replaceAll('$job', '.+').replaceAll('$__rate_interval', '1m'),
    })),
  );
}

async function query(expr: string): Promise<Answer> {
  const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return (await res.json()) as Answer;
}

/** Polls `ok` (every 250 ms, at most `ms`) until it holds; throws with `what` past the bound. */
async function until(what: string, ok: () => Promise<boolean>, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await ok()) return;
    if (Date.now() > deadline) throw new Error(`${what}: not after ${ms} ms\n${prometheusLog}`);
    // Polling interval of a condition wait (Prometheus scrapes every second).
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const allowedReview = (uid: string) => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid,
    kind: { group: '', version: 'v1', kind: 'ConfigMap' },
    resource: { group: '', version: 'v1', resource: 'configmaps' },
    namespace: 'shop',
    operation: 'CREATE',
    userInfo: { username: 'load' },
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' } },
  },
});

let sent = 0;
/** One round of load: an allowed, a denied and an undecodable review. */
async function load(): Promise<void> {
  const ca = palisade.ca.certPem;
  const n = sent++;
  const denied = privilegedLatestPod();
  await Promise.all([
    postReview(palisade.validateUrl, ca, allowedReview(`allow-${n}`)),
    postReview(palisade.validateUrl, ca, {
      ...denied,
      request: { ...denied.request, uid: `deny-${n}` },
    }),
    // A readable uid but no request.kind: answered by failureMode with an error code.
    postReview(palisade.validateUrl, ca, {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: { uid: `bad-${n}` },
    }),
  ]);
}

beforeAll(async () => {
  requireTool(PROMETHEUS_BIN);
  queries.push(...dashboardQueries());
  work = mkdtempSync(join(tmpdir(), 'palisade-dashboard-'));
  bundles = await BundleServer.start(work);
  const key = signingKey(work, 'dash-2026');
  bundles.publish(
    await archiveOf(bundleVariant(join(work, 'bundle'), 'disallow-privileged'), 'rev-7', key),
  );
  const bundleCa = join(work, 'bundle-ca.pem');
  writeFileSync(bundleCa, bundles.cert.caPem);
  palisade = await startPalisade({
    config: {
      evaluation: { workers: 0 },
      bundle: {
        source: bundles.url,
        caFile: bundleCa,
        verification: {
          publicKeys: [{ keyId: key.keyId, file: key.publicFile, algorithm: 'ES256' }],
        },
      },
    },
  });
  await load();

  const caFile = join(work, 'palisade-ca.pem');
  writeFileSync(caFile, palisade.ca.certPem);
  const port = await freePort();
  api = `http://127.0.0.1:${port}`;
  const config = join(work, 'prometheus.yml');
  writeFileSync(
    config,
    stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      scrape_configs: [
        {
          job_name: 'palisade',
          scheme: 'https',
          tls_config: { ca_file: caFile },
          static_configs: [{ targets: [`127.0.0.1:${palisade.port}`] }],
        },
      ],
    }),
  );
  prometheus = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(work, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prometheus.stdout!.on('data', (c: Buffer) => (prometheusLog += c.toString()));
  prometheus.stderr!.on('data', (c: Buffer) => (prometheusLog += c.toString()));
  await until('Prometheus ready', async () => {
    try {
      return (await fetch(`${api}/-/ready`)).ok;
    } catch {
      return false;
    }
  });
  await until('the target scraped and up', async () => {
    const a = await query('up{job="palisade"} == 1');
    return (a.data?.result.length ?? 0) > 0;
  });
  // A reload: a new serving certificate written in place (same CA), picked up by the watch.
  palisade.writeNewCertificate();
  await palisade.waitForLog((l) => l.msg === 'serving certificate reloaded');
}, 180_000);

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((resolve) => prometheus.once('exit', resolve));
    prometheus.kill('SIGTERM');
    await exited;
  }
  await palisade?.stop();
  await bundles?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

it('every dashboard query returns data from the scraped Palisade', async () => {
  expect(queries.length).toBeGreaterThanOrEqual(15);
  const pending = new Set(queries.filter((q) => !AUDIT_ONLY.test(q.expr)));
  // Load keeps flowing while Prometheus scrapes, until each query has a result.
  await until(`queries without data: ${[...pending].map((q) => q.expr).join('; ')}`, async () => {
    await load();
    for (const q of [...pending]) {
      const a = await query(q.expr);
      expect(a.error).toBeUndefined();
      if (a.status === 'success' && (a.data?.result.length ?? 0) > 0) pending.delete(q);
    }
    return pending.size === 0;
  });
  expect(pending.size).toBe(0);
}, 150_000);

it('the queries show what the load did: decisions by outcome, errors by code, the bundle', async () => {
  const outcomes = await query(queries.find((q) => q.panel === 'Decisions by outcome')!.expr);
  const labels = (outcomes.data!.result as { metric: { outcome: string } }[]).map(
    (r) => r.metric.outcome,
  );
  expect(labels.sort()).toEqual(['allow', 'deny', 'error']);
  const revision = await query(queries.find((q) => q.panel === 'Bundle revision')!.expr);
  expect(revision.data!.result).toEqual([
    { metric: { revision: 'rev-7' }, value: [expect.any(Number), '1'] },
  ]);
  const reloads = await query(queries.find((q) => q.panel === 'Reloads by kind and result')!.expr);
  expect(
    (reloads.data!.result as { metric: Record<string, string> }[]).map((r) => r.metric),
  ).toContainEqual({ kind: 'tls', result: 'success' });
});

it('the audit panels are valid queries Prometheus answers (their data needs a cluster)', async () => {
  const audit = queries.filter((q) => AUDIT_ONLY.test(q.expr));
  expect(audit.length).toBeGreaterThan(0);
  for (const q of audit) {
    const a = await query(q.expr);
    expect({ expr: q.expr, status: a.status, error: a.error }).toEqual({
      expr: q.expr,
      status: 'success',
      error: undefined,
    });
  }
});
