// match.namespaceSelector on namespaced objects against the real apiserver: Palisade watches
// namespaces with exactly the RBAC the chart grants for it (a client certificate for the
// chart's ServiceAccount user name), so a policy follows the labels of the request's namespace,
// a relabelled namespace, and a namespace created a moment ago. With less permission:
// namespace-permissions.test.ts; `palisade eval` with the namespaces from kubectl:
// namespace-selector-audit.test.ts.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { createChartClusterRoles, serveWebhook } from './chart/cluster-roles';
import { serviceAccountKubeconfig } from './chart/service-account-kubeconfig';
import { kubectl, requireCluster } from '../support/cluster';
import { fetchMetrics, metricValue, postReview } from '../support/https-client';
import { createNamespace, uniqueName } from './namespaces';
import { latestPod, podReview, selectorPolicies, TIER } from './namespace-selector';
import { startPalisade, type LogLine, type Palisade } from '../support/palisade';
import { onlyPolicies } from '../support/policy-selection';
import { deleteWebhook } from './webhook-configuration';

const WEBHOOK = 'namespace-selector.palisade.dev';
const LATEST_DENIAL =
  `Error from server (Forbidden): error when creating "STDIN": admission webhook "${WEBHOOK}" ` +
  'denied the request: ' +
  '1 violation of 1 policy:\n' +
  '- [disallow-latest-tag] spec.containers[0].image: image tag "latest" (container "app" must ' +
  'not use image "registry.example.com/app:latest"). Fix: pin the image to a version tag or a ' +
  `digest, e.g. registry.example.com/app:1.2.3 or registry.example.com/app@sha256:<digest>.\n`;

const run = uniqueName('nssel');
const release = run;
// A ServiceAccount's user name must fit a certificate's 64-character CN.
const chartNamespace = run;
const fullname = `${release}-palisade`;
// Only this run's namespaces go to this webhook (other e2e files share the apiserver).
const watched = { 'e2e.palisade.dev/namespace-selector': run };
let rbac: string;
let palisade: Palisade;

const createLatestPod = (ns: string, name: string) =>
  kubectl(['create', '--dry-run=server', '-n', ns, '-f', '-'], JSON.stringify(latestPod(name)));

beforeAll(async () => {
  requireCluster();
  // The chart's RBAC for this config (tls.mode secret: namespaces are its only permission; the
  // audit, which has its own roles, is off here: test/chart/audit.test.ts covers those).
  rbac = await createChartClusterRoles(release, chartNamespace, {
    'tls.mode': 'secret',
    'tls.secret.name': 'unused',
    'tls.secret.caBundle': 'unused',
    'audit.enabled': false,
    policies: selectorPolicies,
  });

  palisade = await startPalisade({
    config: {
      logLevel: 'debug',
      kubernetes: { kubeconfig: serviceAccountKubeconfig(chartNamespace, fullname) },
      policies: onlyPolicies(selectorPolicies),
    },
  });
  await palisade.waitForLog((l) => l.msg === 'namespace labels: listed, watching for changes');
  await serveWebhook(palisade, run, WEBHOOK, watched);
});

afterAll(async () => {
  await deleteWebhook(run);
  await palisade?.stop();
  if (rbac) await kubectl(['delete', '--ignore-not-found', '-f', '-'], rbac);
});

it('the chart grants exactly get, list and watch on namespaces for it', () => {
  const objects = JSON.parse(rbac).items as Array<{ kind: string; rules?: unknown[] }>;
  expect(objects.map((o) => o.kind)).toEqual(['ClusterRole', 'ClusterRoleBinding']);
  expect(objects[0]!.rules).toEqual([
    { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
  ]);
});

it('applies the policy in a namespace whose labels match, and only there', async () => {
  const prod = await createNamespace(`${run}-prod`, { ...watched, [TIER]: 'production' });
  const dev = await createNamespace(`${run}-dev`, { ...watched, [TIER]: 'development' });

  const denied = await createLatestPod(prod, 'web');
  expect(denied.code).toBe(1);
  expect(denied.stderr).toBe(LATEST_DENIAL);

  const admitted = await createLatestPod(dev, 'web');
  expect(admitted.stderr).toBe('');
  expect(admitted.stdout).toBe('pod/web created (server dry run)\n');
  const [decision] = await palisade.waitForDecisions(
    (d) => d.namespace === dev && d.name === 'web',
  );
  expect(decision!.policies).toEqual(['disallow-privileged']);
  expect(decision!.namespaceLabels).toBeUndefined();
});

it('follows a namespace relabelled while it runs', async () => {
  const ns = await createNamespace(`${run}-relabel`, { ...watched, [TIER]: 'development' });
  expect((await createLatestPod(ns, 'before')).code).toBe(0);

  const labelled = await kubectl(['label', 'namespace', ns, `${TIER}=production`, '--overwrite']);
  expect(labelled.code).toBe(0);
  const change = await palisade.waitForLog(
    (l) => l.msg === 'namespace labels changed' && l.namespace === ns,
  );
  expect((change.labels as Record<string, string>)[TIER]).toBe('production');

  const after = await createLatestPod(ns, 'after');
  expect(after.stderr).toBe(LATEST_DENIAL);
});

it('judges a namespace created a moment before its first object', async () => {
  const ns = await createNamespace(`${run}-new`, { ...watched, [TIER]: 'production' });
  expect((await createLatestPod(ns, 'first')).stderr).toBe(LATEST_DENIAL);
});

it('counts where the labels came from in /metrics', async () => {
  const text = await fetchMetrics(palisade.port, palisade.ca.certPem);
  const fromWatchOrGet =
    (metricValue(text, 'palisade_namespace_label_lookups_total{source="watch"}') ?? 0) +
    (metricValue(text, 'palisade_namespace_label_lookups_total{source="get"}') ?? 0);
  // Each test above made at least one lookup that found labels.
  expect(fromWatchOrGet).toBeGreaterThanOrEqual(4);
  expect(metricValue(text, 'palisade_namespace_label_lookups_total{source="unknown"}')).toBe(
    undefined,
  );
});

it('starts watching when a config reload brings the first namespaceSelector', async () => {
  const prod = await createNamespace(`${run}-reload`, { ...watched, [TIER]: 'production' });
  const kubeconfig = serviceAccountKubeconfig(chartNamespace, fullname);
  const p = await startPalisade({
    config: {
      kubernetes: { kubeconfig },
      policies: onlyPolicies({ 'disallow-latest-tag': { action: 'deny' } }),
    },
  });
  try {
    const listed = (l: LogLine) => l.msg === 'namespace labels: listed, watching for changes';
    expect(p.logLines().some(listed)).toBe(false);
    const file = join(p.dir, 'config.yaml');
    const config = parse(readFileSync(file, 'utf8'));
    config.policies = onlyPolicies(selectorPolicies);
    writeFileSync(`${file}.tmp`, stringify(config));
    renameSync(`${file}.tmp`, file);
    await p.waitForLog((l) => l.msg === 'config reloaded');
    await p.waitForLog(listed);
    const answer = await postReview(p.validateUrl, p.ca.certPem, podReview(prod, prod));
    expect(answer.response.allowed).toBe(false);
    const text = await fetchMetrics(p.port, p.ca.certPem);
    expect(metricValue(text, 'palisade_namespace_label_lookups_total{source="watch"}')).toBe(1);
  } finally {
    await p.stop();
  }
});
