// Every PromQL query of the chart's Grafana dashboard, run by a real Prometheus (built pinned by
// `scripts/tools.sh prometheus`) that scrapes a real Palisade process over verified HTTPS while
// it serves admission load: allowed and denied reviews, a review that fails decoding (an error
// answer), a certificate replaced in place (a reload), a bundle from an HTTPS source (bundle
// revision and age). Each query must return data; Prometheus' scrapes are waited on by polling
// its HTTP API with a bound, never by sleeping a fixed time.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { find, render } from '../chart/render';
import { postReview } from '../support/https-client';
import { startPalisade, type Palisade } from '../support/palisade';
import {
  dashboardQueries,
  startPrometheus,
  type DashboardQuery,
  type RunningPrometheus,
} from '../support/prometheus';
import {
  BundleServer,
  archiveOf,
  bundleVariant,
  privilegedLatestPod,
  signingKey,
} from './bundle-source-fixtures';

// The background audit's gauges are set only by a replica that audits a cluster (docs/audit.md;
// test/e2e/dashboard-audit-queries.test.ts): here their queries must be valid and answered.
const AUDIT_ONLY = /palisade_audit_/;

let work: string;
let palisade: Palisade;
let bundles: BundleServer;
let prometheus: RunningPrometheus;
const queries: DashboardQuery[] = [];
const query = (expr: string) => prometheus.query(expr);

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
  const cm = find(
    render({ set: { 'dashboard.enabled': true } }),
    'ConfigMap',
    'palisade-dashboard',
  );
  queries.push(...dashboardQueries(cm.data['palisade.json']));
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

  prometheus = await startPrometheus(work, { port: palisade.port, caPem: palisade.ca.certPem });
  // A reload: a new serving certificate written in place (same CA), picked up by the watch.
  palisade.writeNewCertificate();
  await palisade.waitForLog((l) => l.msg === 'serving certificate reloaded');
}, 180_000);

afterAll(async () => {
  await prometheus?.stop();
  await palisade?.stop();
  await bundles?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

it('every dashboard query returns data from the scraped Palisade', async () => {
  expect(queries.length).toBeGreaterThanOrEqual(15);
  const pending = new Set(queries.filter((q) => !AUDIT_ONLY.test(q.expr)));
  // Load keeps flowing while Prometheus scrapes, until each query has a result.
  await prometheus.until(
    `queries without data: ${[...pending].map((q) => q.expr).join('; ')}`,
    async () => {
      await load();
      for (const q of [...pending]) {
        const a = await query(q.expr);
        expect(a.error).toBeUndefined();
        if (a.status === 'success' && (a.data?.result.length ?? 0) > 0) pending.delete(q);
      }
      return pending.size === 0;
    },
  );
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
