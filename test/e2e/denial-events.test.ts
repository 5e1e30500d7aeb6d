// events.denials against the real apiserver: Palisade, with exactly the RBAC the chart grants for
// it (a client certificate for the chart's ServiceAccount), writes one Warning Event on the
// namespace of a denied create (who, what, which policy); the same denial again raises that
// Event's count instead of adding Events; a dry run and an admitted create add none.
import { createChartClusterRoles, serveWebhook } from './chart/cluster-roles';
import { serviceAccountKubeconfig } from './chart/service-account-kubeconfig';
import { kubectl, requireCluster } from '../support/cluster';
import { createNamespace, uniqueName } from './namespaces';
import { latestPod } from './namespace-selector';
import { startPalisade, type Palisade } from '../support/palisade';
import { onlyPolicies } from '../support/policy-selection';
import { deleteWebhook } from './webhook-configuration';

const WEBHOOK = 'denial-events.palisade.dev';
const run = uniqueName('denev');
const release = run;
const chartNamespace = run;
const fullname = `${release}-palisade`;
const watched = { 'e2e.palisade.dev/denial-events': run };
const policies = {
  'disallow-privileged': { action: 'deny' }, // what waitForWebhook probes with
  'disallow-latest-tag': { action: 'deny' },
};
let rbac: string;
let palisade: Palisade;

interface CoreEvent {
  involvedObject: { kind: string; name: string; namespace?: string };
  type: string;
  reason: string;
  message: string;
  count: number;
  source: { component: string };
}

async function denialEvents(ns: string): Promise<CoreEvent[]> {
  const r = await kubectl(['get', 'events', '-n', ns, '-o', 'json']);
  if (r.code !== 0) throw new Error(`kubectl get events: ${r.stderr}`);
  return (JSON.parse(r.stdout).items as CoreEvent[]).filter((e) => e.reason === 'AdmissionDenied');
}

/** Polls (bounded) until `ok` holds for the namespace's denial Events; returns them. */
async function eventsUntil(ns: string, ok: (e: CoreEvent[]) => boolean): Promise<CoreEvent[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const events = await denialEvents(ns);
    if (ok(events)) return events;
    if (Date.now() > deadline)
      throw new Error(`denial events in ${ns} never matched: ${JSON.stringify(events)}`);
    // Polling interval of a condition wait: the Event is written after the answer.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const create = (ns: string, name: string, dryRun = false) =>
  kubectl(
    ['create', ...(dryRun ? ['--dry-run=server'] : []), '-n', ns, '-f', '-'],
    JSON.stringify(latestPod(name)),
  );

beforeAll(async () => {
  requireCluster();
  rbac = await createChartClusterRoles(
    release,
    chartNamespace,
    {
      'tls.mode': 'secret',
      'tls.secret.name': 'unused',
      'tls.secret.caBundle': 'unused',
      'events.denials': true,
      policies,
    },
    (o) => o.metadata.name.endsWith('-denial-events'),
  );

  palisade = await startPalisade({
    config: {
      kubernetes: { kubeconfig: serviceAccountKubeconfig(chartNamespace, fullname) },
      events: { denials: true },
      policies: onlyPolicies(policies),
    },
  });
  await serveWebhook(palisade, run, WEBHOOK, watched);
});

afterAll(async () => {
  await deleteWebhook(run);
  await palisade?.stop();
  if (rbac) await kubectl(['delete', '--ignore-not-found', '-f', '-'], rbac);
});

it('the chart grants create and patch of events, nothing more', () => {
  const objects = JSON.parse(rbac).items as Array<{ kind: string; rules?: unknown[] }>;
  expect(objects.map((o) => o.kind)).toEqual(['ClusterRole', 'ClusterRoleBinding']);
  expect(objects[0]!.rules).toEqual([
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  ]);
});

it('a denied create gives one Event on its namespace; repeats raise its count', async () => {
  const ns = await createNamespace(`${run}-shop`, watched);
  const denied = await create(ns, 'web');
  expect(denied.code).toBe(1);
  expect(denied.stderr).toContain(`admission webhook "${WEBHOOK}" denied the request`);

  const [first, ...more] = await eventsUntil(ns, (e) => e.length > 0);
  expect(more).toEqual([]);
  expect(first).toMatchObject({
    type: 'Warning',
    reason: 'AdmissionDenied',
    count: 1,
    involvedObject: { kind: 'Namespace', name: ns, namespace: ns },
    source: { component: 'palisade-webhook' },
  });
  // Who (kubectl's user: the cluster's admin certificate), what, and which policy.
  expect(first!.message).toMatch(
    new RegExp(`^CREATE Pod ${ns}/web by \\S+ denied by disallow-latest-tag: 1 violation`),
  );
  expect(first!.message).toContain('image tag "latest"');

  // A dry run and an admitted create add nothing.
  expect((await create(ns, 'web', true)).code).toBe(1);
  const pinned = { ...latestPod('ok') };
  pinned.spec.containers[0]!.image = 'registry.example.com/app:1.2.3';
  const admitted = await kubectl(
    ['create', '--dry-run=server', '-n', ns, '-f', '-'],
    JSON.stringify(pinned),
  );
  expect(admitted.code).toBe(0);

  // The same denial twice more: still one Event, count 3.
  expect((await create(ns, 'web')).code).toBe(1);
  expect((await create(ns, 'web')).code).toBe(1);
  const after = await eventsUntil(ns, (e) => e.length === 1 && e[0]!.count === 3);
  expect(after[0]!.message).toBe(first!.message);
  expect(palisade.output()).not.toContain('cannot write an event');
});
