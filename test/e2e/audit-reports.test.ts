// The audit's reports against the real kube-apiserver: objects that break policies exist
// before the audit starts; it writes an OpenReports Report per namespace with exactly those
// results (split at maxResultsPerReport), `kubectl get reports` shows the counts in its columns,
// a fix flips the result in place without rewriting unchanged reports, a deleted object's results
// go, a namespace being deleted loses its Report, and a restarted audit rewrites nothing.
// The scan is limited to this test's namespaces (AuditScanDeps.namespaces): the cluster is shared.
import { KUBECONFIG, kubectl, requireCluster } from '../support/cluster';
import { fetchMetrics, metricValue } from '../support/https-client';
import { startPalisade, type LogLine, type Palisade } from '../support/palisade';
import { onlyPolicies } from '../support/policy-selection';
import { BUNDLE } from '../support/root';
import { applyIn, deployment, eventually, installReportCrds, reportsIn } from './audit-cluster';
import { createNamespace, uniqueName } from './namespaces';

const nsA = uniqueName('a2-audit-a');
const nsB = uniqueName('a2-audit-b');
const lease = uniqueName('a2-audit-lease');
let palisade: Palisade | undefined;

const WRITTEN = 'audit: reports written';
interface Written extends LogLine {
  created: number;
  replaced: number;
  deleted: number;
  unchanged: number;
}
const written = (p: Palisade) => p.logLines().filter((l): l is Written => l.msg === WRITTEN);

/** A Palisade process auditing this test's namespaces (the cluster is shared). */
async function startAuditing(): Promise<Palisade> {
  palisade = await startPalisade({
    config: {
      bundle: BUNDLE,
      policies: onlyPolicies({
        'pss-baseline-privileged': {},
        'disallow-latest-tag': { action: 'warn' },
      }),
      kubernetes: { kubeconfig: KUBECONFIG },
      audit: {
        enabled: true,
        namespaces: [nsA, nsB],
        pageSize: 2,
        maxResultsPerReport: 4,
        lease: { name: lease, namespace: 'default' },
      },
    },
  });
  return palisade;
}

interface Report {
  metadata: { name: string; resourceVersion: string };
  summary: Record<string, number>;
  results: Array<{
    policy: string;
    result: string;
    message: string;
    resources: Array<{ name: string; kind: string }>;
    properties: Record<string, string>;
  }>;
}

const byName = (rs: Report[]) =>
  rs
    .flatMap((r) => r.results)
    .map((x) => `${x.resources[0]!.name} ${x.policy} ${x.result}`)
    .sort();

beforeAll(async () => {
  requireCluster();
  await installReportCrds();
  await createNamespace(nsA);
  await createNamespace(nsB);
  // Before the audit runs (no webhook here): one privileged, one on :latest, two clean.
  await applyIn(nsA, deployment('priv', { privileged: true }));
  await applyIn(nsA, deployment('latest', { image: 'registry.example.com/app:latest' }));
  await applyIn(nsA, deployment('clean'));
  await applyIn(nsB, deployment('clean'));
});

afterAll(async () => {
  await palisade?.stop();
  await kubectl(['delete', 'namespace', nsA, nsB, '--wait=false']);
  await kubectl(['delete', 'lease', lease, '-n', 'default']);
});

it('writes a Report per namespace with exactly the failures, split at maxResultsPerReport', async () => {
  const p = await startAuditing();
  await p.waitForLog((l) => l.msg === WRITTEN);
  const a = await reportsIn<Report>(nsA);
  // 3 objects × 2 policies = 6 results; 4 per report, an object's results kept together.
  expect(a.map((r) => [r.metadata.name, r.results.length])).toEqual([
    ['palisade-audit', 4],
    ['palisade-audit-2', 2],
  ]);
  expect(byName(a)).toEqual([
    'clean disallow-latest-tag pass',
    'clean pss-baseline-privileged pass',
    'latest disallow-latest-tag warn',
    'latest pss-baseline-privileged pass',
    'priv disallow-latest-tag pass',
    'priv pss-baseline-privileged fail',
  ]);
  const total = a
    .map((r) => r.summary)
    .reduce((s, x) => ({
      pass: s.pass! + x.pass!,
      fail: s.fail! + x.fail!,
      warn: s.warn! + x.warn!,
    }));
  expect(total).toEqual({ pass: 4, fail: 1, warn: 1 });
  const fail = a.flatMap((r) => r.results).find((x) => x.result === 'fail')!;
  expect(fail.resources[0]).toMatchObject({ kind: 'Deployment', name: 'priv' });
  expect(fail.properties).toMatchObject({
    action: 'deny',
    path: 'spec.template.spec.containers[0].securityContext.privileged',
  });
  expect(JSON.parse(fail.properties.controls!)).toMatchObject({
    pss: { level: 'baseline', check: 'privileged' },
  });
  expect(byName(await reportsIn<Report>(nsB))).toEqual([
    'clean disallow-latest-tag pass',
    'clean pss-baseline-privileged pass',
  ]);
});

it('exports the scan and the failing results as metrics', async () => {
  const text = await fetchMetrics(palisade!.port, palisade!.ca.certPem);
  const v = (sample: string) => metricValue(text, sample);
  expect(v('palisade_audit_objects_scanned')).toBe(4);
  expect(v('palisade_audit_violations{policy="pss-baseline-privileged",action="deny"}')).toBe(1);
  expect(v('palisade_audit_violations{policy="disallow-latest-tag",action="warn"}')).toBe(1);
  expect(v('palisade_audit_last_run_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 600);
  expect(v('palisade_audit_duration_seconds')).toBeGreaterThanOrEqual(0);
});

it('shows the summary counts in the columns of kubectl get reports', async () => {
  const r = await kubectl(['get', 'reports', '-n', nsA]);
  expect(r.code).toBe(0);
  const [head, ...rows] = r.stdout
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/));
  expect(head!.slice(0, 6)).toEqual(['NAME', 'PASS', 'FAIL', 'WARN', 'ERROR', 'SKIP']);
  const counts = rows.map((c) => c.slice(0, 6));
  const sum = (i: number) => counts.reduce((s, c) => s + Number(c[i]), 0);
  expect([sum(1), sum(2), sum(3), sum(4), sum(5)]).toEqual([4, 1, 1, 0, 0]);
});

it('flips a fixed object to pass in place, and leaves reports whose results did not change alone', async () => {
  const before = await reportsIn<Report>(nsA);
  const passes = written(palisade!).length;
  // An edit that changes no result (clean, in the first part), then the fix (priv, the second).
  await applyIn(nsA, {
    ...deployment('clean'),
    metadata: { name: 'clean', labels: { touched: 'yes' } },
  });
  await applyIn(nsA, deployment('priv'));
  const after = await eventually(async () => {
    const now = await reportsIn<Report>(nsA);
    expect(byName(now)).toContain('priv pss-baseline-privileged pass');
    return now;
  });
  expect(after.map((r) => r.metadata.name)).toEqual(['palisade-audit', 'palisade-audit-2']);
  expect(after[0]!.metadata.resourceVersion).toBe(before[0]!.metadata.resourceVersion);
  expect(after[1]!.metadata.resourceVersion).not.toBe(before[1]!.metadata.resourceVersion);
  const since = written(palisade!).slice(passes);
  expect(since.reduce((n, l) => n + l.created + l.deleted, 0)).toBe(0);
  expect(since.reduce((n, l) => n + l.replaced, 0)).toBe(1);
});

it('recorded a Warning Event on the object that failed the deny policy', async () => {
  const events = await eventually(async () => {
    const r = await kubectl([
      'get',
      'events',
      '-n',
      nsA,
      '-o',
      'json',
      '--field-selector',
      'involvedObject.name=priv,reason=PolicyViolation',
    ]);
    const items = (
      JSON.parse(r.stdout) as {
        items: Array<{ type: string; message: string; involvedObject: { kind: string } }>;
      }
    ).items;
    expect(items.length).toBeGreaterThan(0);
    return items;
  });
  expect(events[0]).toMatchObject({ type: 'Warning', involvedObject: { kind: 'Deployment' } });
  expect(events[0]!.message).toMatch(/^pss-baseline-privileged: /);
  const latest = await kubectl([
    'get',
    'events',
    '-n',
    nsA,
    '-o',
    'name',
    '--field-selector',
    'involvedObject.name=latest,reason=PolicyViolation',
  ]);
  expect(latest.stdout.trim()).toBe(''); // a warn policy gives no Event
});

it('removes the results of a deleted object, and the extra part it no longer needs', async () => {
  const r = await kubectl(['delete', 'deployment', 'latest', '-n', nsA]);
  expect(r.code).toBe(0);
  const now = await eventually(async () => {
    const rs = await reportsIn<Report>(nsA);
    expect(byName(rs).some((x) => x.startsWith('latest '))).toBe(false);
    return rs;
  });
  expect(now.map((x) => [x.metadata.name, x.results.length])).toEqual([['palisade-audit', 4]]);
});

it('rewrites nothing when a restarted audit finds the same results', async () => {
  const before = await reportsIn<Report>(nsA);
  await palisade!.stop();
  const p = await startAuditing();
  const line = (await p.waitForLog((l) => l.msg === WRITTEN)) as Written;
  expect([line.created, line.replaced, line.deleted]).toEqual([0, 0, 0]);
  expect(line.unchanged).toBeGreaterThan(0);
  expect((await reportsIn<Report>(nsA)).map((r) => r.metadata.resourceVersion)).toEqual(
    before.map((r) => r.metadata.resourceVersion),
  );
});

it('deletes the Report of a namespace being deleted', async () => {
  const r = await kubectl(['delete', 'namespace', nsB, '--wait=false']);
  expect(r.code).toBe(0);
  await eventually(async () => expect(await reportsIn<Report>(nsB)).toEqual([]));
  expect((await reportsIn<Report>(nsA)).length).toBe(1);
});
