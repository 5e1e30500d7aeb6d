// The dashboard's audit panels on a real Prometheus: a Palisade that audits a namespace of the
// real apiserver (one Deployment failing a deny policy), scraped by Prometheus; each query of the
// audit panels returns data, and the failing-results panel names the policy. The other panels:
// test/integration/dashboard-queries.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { find, render } from '../chart/render';
import { KUBECONFIG, requireCluster } from '../support/cluster';
import { startPalisade, type Palisade } from '../support/palisade';
import { onlyPolicies } from '../support/policy-selection';
import {
  dashboardQueries,
  startPrometheus,
  type DashboardQuery,
  type RunningPrometheus,
} from '../support/prometheus';
import { BUNDLE } from '../support/root';
import { applyIn, deployment, installReportCrds } from './audit-cluster';
import { createNamespace, uniqueName } from './namespaces';

const run = uniqueName('dash-audit');
let work: string;
let palisade: Palisade;
let prometheus: RunningPrometheus;
let audit: DashboardQuery[];

beforeAll(async () => {
  requireCluster();
  const cm = find(
    render({ set: { 'dashboard.enabled': true } }),
    'ConfigMap',
    'palisade-dashboard',
  );
  audit = dashboardQueries(cm.data['palisade.json']).filter((q) => /palisade_audit_/.test(q.expr));
  await installReportCrds();
  const ns = await createNamespace(run);
  await applyIn(ns, deployment('root', { privileged: true }));
  work = mkdtempSync(join(tmpdir(), 'palisade-dash-audit-'));
  palisade = await startPalisade({
    config: {
      bundle: BUNDLE,
      kubernetes: { kubeconfig: KUBECONFIG },
      policies: onlyPolicies({ 'pss-baseline-privileged': {} }),
      audit: {
        enabled: true,
        namespaces: [ns],
        intervalMinutes: 600,
        events: false,
        lease: { name: `${run}-lease`, namespace: 'default' },
      },
    },
  });
  await palisade.waitForLog((l) => l.msg === 'audit: reports written', 60_000);
  prometheus = await startPrometheus(work, { port: palisade.port, caPem: palisade.ca.certPem });
}, 180_000);

afterAll(async () => {
  await prometheus?.stop();
  await palisade?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

it('every audit panel query returns data', async () => {
  expect(audit.length).toBeGreaterThanOrEqual(4);
  const pending = new Set(audit);
  await prometheus.until(
    `audit queries without data: ${[...pending].map((q) => q.expr).join('; ')}`,
    async () => {
      for (const q of [...pending]) {
        const a = await prometheus.query(q.expr);
        expect(a.error).toBeUndefined();
        if (a.status === 'success' && (a.data?.result.length ?? 0) > 0) pending.delete(q);
      }
      return pending.size === 0;
    },
  );
  const failing = await prometheus.query(
    audit.find((q) => q.expr.includes('palisade_audit_violations'))!.expr,
  );
  expect(failing.data!.result).toEqual([
    {
      metric: { policy: 'pss-baseline-privileged', action: 'deny' },
      value: [expect.any(Number), '1'],
    },
  ]);
}, 120_000);
