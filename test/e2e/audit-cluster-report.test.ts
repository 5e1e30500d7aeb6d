// Cluster-scoped objects go to the audit's ClusterReport (openreports.io ClusterReport), against
// the real kube-apiserver: a ClusterRoleBinding that grants cluster-admin to a service account,
// made before the audit starts, is reported failing there; deleting it removes its result from
// the ClusterReport, from the watch. The audit sees only ClusterRoleBindings (the policy's match
// is narrowed to that cluster-scoped kind), so it writes no namespace's Report.
import { KUBECONFIG, kubectl, requireCluster } from '../support/cluster';
import { startPalisade, type Palisade } from '../support/palisade';
import { onlyPolicies } from '../support/policy-selection';
import { BUNDLE } from '../support/root';
import { eventually, installReportCrds } from './audit-cluster';
import { uniqueName } from './namespaces';

const binding = uniqueName('audit-cluster-admin');
const lease = uniqueName('audit-cluster-lease');
let palisade: Palisade | undefined;

interface ClusterReport {
  metadata: { name: string };
  summary: Record<string, number>;
  results?: Array<{
    policy: string;
    result: string;
    resources: Array<{ name: string; kind: string }>;
  }>;
}

async function clusterReports(): Promise<ClusterReport[]> {
  const r = await kubectl(['get', 'clusterreports.openreports.io', '-o', 'json']);
  if (r.code !== 0) throw new Error(r.stderr);
  return (JSON.parse(r.stdout) as { items: ClusterReport[] }).items;
}

const resultsFor = (reports: ClusterReport[], name: string) =>
  reports
    .flatMap((r) => r.results ?? [])
    .filter((x) => x.resources.some((o) => o.kind === 'ClusterRoleBinding' && o.name === name))
    .map((x) => `${x.policy} ${x.result}`);

beforeAll(async () => {
  requireCluster();
  await installReportCrds();
  // Before any audit runs: cluster-admin bound to a service account.
  const made = await kubectl([
    'create',
    'clusterrolebinding',
    binding,
    '--clusterrole=cluster-admin',
    '--serviceaccount=default:robot',
  ]);
  if (made.code !== 0) throw new Error(made.stderr);
  palisade = await startPalisade({
    config: {
      bundle: BUNDLE,
      policies: onlyPolicies({
        'disallow-cluster-admin-binding': {
          action: 'deny',
          match: { kinds: ['ClusterRoleBinding'] },
        },
      }),
      kubernetes: { kubeconfig: KUBECONFIG },
      audit: { enabled: true, lease: { name: lease, namespace: 'default' } },
    },
  });
});

afterAll(async () => {
  await palisade?.stop();
  await kubectl(['delete', 'clusterrolebinding', binding, '--ignore-not-found']);
  await kubectl(['delete', 'lease', lease, '-n', 'default', '--ignore-not-found']);
});

it('reports a cluster-scoped object that fails a deny policy in the ClusterReport', async () => {
  const reports = await eventually(async () => {
    const rs = await clusterReports();
    expect(resultsFor(rs, binding)).toEqual(['disallow-cluster-admin-binding fail']);
    return rs;
  });
  const mine = reports.find((r) =>
    (r.results ?? []).some((x) => x.resources[0]?.name === binding),
  )!;
  expect(mine.summary.fail).toBeGreaterThanOrEqual(1);
});

it('removes its result when the object is deleted', async () => {
  const gone = await kubectl(['delete', 'clusterrolebinding', binding]);
  expect(gone.code).toBe(0);
  await eventually(async () => {
    expect(resultsFor(await clusterReports(), binding)).toEqual([]);
  });
});
