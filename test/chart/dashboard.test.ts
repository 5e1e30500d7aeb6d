// The chart's Grafana dashboard ConfigMap: value-gated, found by the Grafana sidecar's label, and
// its queries only name metrics Palisade registers (the real Prometheus runs them:
// test/integration/dashboard-queries.test.ts).
import { Metrics } from '../../src/server/metrics';
import { find, kinds, render, type K8sObject } from './render';

interface Panel {
  title: string;
  targets: { expr: string; refId: string }[];
}

function dashboardOf(objects: K8sObject[]): { panels: Panel[]; templating: unknown } {
  const cm = find(objects, 'ConfigMap', 'palisade-dashboard');
  return JSON.parse(cm.data['palisade.json']);
}

it('off by default', () => {
  const names = render()
    .filter((o) => o.kind === 'ConfigMap')
    .map((o) => o.metadata.name);
  expect(names).not.toContain('palisade-dashboard');
  expect(kinds(render())).toContain('ConfigMap');
});

it('carries the sidecar label grafana_dashboard: "1", or the one configured', () => {
  const cm = find(
    render({ set: { 'dashboard.enabled': true } }),
    'ConfigMap',
    'palisade-dashboard',
  );
  expect(cm.metadata.labels?.grafana_dashboard).toBe('1');
  expect(cm.metadata.namespace).toBe('palisade-system');
  expect(cm.metadata.annotations).toBeUndefined();
  const custom = find(
    render({
      set: {
        'dashboard.enabled': true,
        'dashboard.label': 'my_dashboards',
        'dashboard.labelValue': 'yes',
        'dashboard.folder': 'Admission',
        'dashboard.namespace': 'monitoring',
      },
    }),
    'ConfigMap',
    'palisade-dashboard',
  );
  expect(custom.metadata.labels?.my_dashboards).toBe('yes');
  expect(custom.metadata.labels?.grafana_dashboard).toBeUndefined();
  expect(custom.metadata.annotations).toEqual({ grafana_folder: 'Admission' });
  expect(custom.metadata.namespace).toBe('monitoring');
});

it('draws latency against this release webhook.timeoutSeconds', () => {
  const d = dashboardOf(
    render({ set: { 'dashboard.enabled': true, 'webhook.timeoutSeconds': 7 } }),
  );
  const latency = d.panels.find((p) => p.title.startsWith('Latency'))!;
  expect(latency.targets.map((t) => t.expr)).toContain('vector(7)');
  expect(JSON.stringify(d)).not.toContain('__WEBHOOK_TIMEOUT_SECONDS__');
});

it('every query names only metrics Palisade registers, and covers the operator view', async () => {
  const d = dashboardOf(render({ set: { 'dashboard.enabled': true } }));
  const registered = new Set(
    (await new Metrics().registry.getMetricsAsJSON()).map((m) => m.name as string),
  );
  const used = new Set<string>();
  for (const p of d.panels) {
    expect(p.targets.length).toBeGreaterThan(0);
    for (const t of p.targets) {
      for (const m of t.expr.match(/palisade_[a-z_]+/g) ?? []) used.add(m);
    }
  }
  const base = (m: string) => m.replace(/_bucket$/, '');
  for (const m of used) expect(registered).toContain(base(m));
  for (const m of [
    'palisade_admission_requests_total',
    'palisade_decisions_total',
    'palisade_admission_duration_seconds_bucket',
    'palisade_errors_total',
    'palisade_reloads_total',
    'palisade_tls_certificate_expiry_timestamp_seconds',
    'palisade_bundle_info',
    'palisade_bundle_last_activation_timestamp_seconds',
    'palisade_audit_violations',
    'palisade_audit_last_run_timestamp_seconds',
    'palisade_inventory_objects',
  ])
    expect(used).toContain(m);
});
