// match.namespaceSelector with less than the chart's RBAC on namespaces, against the real
// apiserver: with get only, Palisade reads each namespace with a GET; with get and list, a watch
// that keeps failing is backed off; with nothing, the labels are unknown, the policy applies,
// and Palisade says why. Each Palisade here is asked directly, no webhook in between.
import { serviceAccountKubeconfig } from './chart/service-account-kubeconfig';
import { kubectl, requireCluster } from '../support/cluster';
import { fetchMetrics, metricValue, postReview } from '../support/https-client';
import { createNamespace, uniqueName } from './namespaces';
import { podReview, selectorPolicies, TIER } from './namespace-selector';
import { startPalisade, type LogLine } from '../support/palisade';
import { onlyPolicies } from '../support/policy-selection';

const run = uniqueName('nsperm');
// A ServiceAccount's user name must fit a certificate's 64-character CN.
const chartNamespace = run;
// No webhook selects these namespaces' label: each test posts to its own Palisade.
const watched = { 'e2e.palisade.dev/namespace-selector': run };

beforeAll(() => requireCluster());

/** A ClusterRole with these verbs on namespaces, bound to ServiceAccount `user` (as a List). */
function rbacFor(user: string, verbs: string[]): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: user },
        rules: [{ apiGroups: [''], resources: ['namespaces'], verbs }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: user },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: user },
        subjects: [{ kind: 'ServiceAccount', name: user, namespace: chartNamespace }],
      },
    ],
  });
}

it('with get but no list or watch, reads each namespace with a GET', async () => {
  const prod = await createNamespace(`${run}-get-prod`, { ...watched, [TIER]: 'production' });
  const dev = await createNamespace(`${run}-get-dev`, { ...watched, [TIER]: 'development' });
  const user = `${run}-getter`;
  const grant = rbacFor(user, ['get']);
  expect((await kubectl(['create', '-f', '-'], grant)).code).toBe(0);
  const getter = await startPalisade({
    config: {
      kubernetes: { kubeconfig: serviceAccountKubeconfig(chartNamespace, user) },
      policies: onlyPolicies(selectorPolicies),
    },
  });
  try {
    await getter.waitForLog((l) => l.msg.startsWith('namespace watch failed'));
    const ask = (ns: string) =>
      postReview(getter.validateUrl, getter.ca.certPem, podReview(ns, ns));
    expect((await ask(prod)).response.allowed).toBe(false);
    expect((await ask(dev)).response.allowed).toBe(true);
    const text = await fetchMetrics(getter.port, getter.ca.certPem);
    expect(metricValue(text, 'palisade_namespace_label_lookups_total{source="get"}')).toBe(2);
  } finally {
    await getter.stop();
    await kubectl(['delete', '--ignore-not-found', '-f', '-'], grant);
  }
});

it('backs off a watch that keeps failing even though the list succeeds', async () => {
  const user = `${run}-lister`;
  const grant = rbacFor(user, ['get', 'list']);
  expect((await kubectl(['create', '-f', '-'], grant)).code).toBe(0);
  const lister = await startPalisade({
    config: {
      kubernetes: { kubeconfig: serviceAccountKubeconfig(chartNamespace, user) },
      policies: onlyPolicies(selectorPolicies),
    },
  });
  try {
    const failures = async (count: number) => {
      const watchFailed = (l: LogLine) => l.msg.startsWith('namespace watch failed');
      await lister.waitForLog(() => lister.logLines().filter(watchFailed).length >= count);
      return lister.logLines().filter(watchFailed);
    };
    const [first, second] = await failures(2);
    expect(String(first!.reason)).toContain('Forbidden');
    expect([first!.retryInMs, second!.retryInMs]).toEqual([1000, 2000]);
  } finally {
    await lister.stop();
    await kubectl(['delete', '--ignore-not-found', '-f', '-'], grant);
  }
});

it('without permission to read namespaces, applies the policy and logs why', async () => {
  const dev = await createNamespace(`${run}-norbac`, { ...watched, [TIER]: 'development' });
  // A user name no RBAC binding mentions.
  const denied = await startPalisade({
    config: {
      kubernetes: { kubeconfig: serviceAccountKubeconfig(chartNamespace, `${run}-nobody`) },
      policies: onlyPolicies(selectorPolicies),
    },
  });
  try {
    const watchFailed = await denied.waitForLog((l) => l.msg.startsWith('namespace watch failed'));
    expect(String(watchFailed.reason)).toContain('forbidden');
    const answer = await postReview(denied.validateUrl, denied.ca.certPem, podReview(dev, dev));
    expect(answer.response.allowed).toBe(false);
    const [decision] = await denied.waitForDecisions((d) => d.uid === dev);
    expect(decision).toMatchObject({ decision: 'deny', namespaceLabels: 'unknown' });
    expect(answer.response.status?.message).toContain('[disallow-latest-tag]');
    const warning = await denied.waitForLog((l) =>
      l.msg.startsWith('cannot read namespace labels'),
    );
    expect(warning).toMatchObject({ namespace: dev });
    expect(String(warning.reason)).toMatch(
      /^HTTP 403: namespaces ".*" is forbidden: User "system:serviceaccount:.*-nobody" cannot get resource "namespaces"/,
    );
    const text = await fetchMetrics(denied.port, denied.ca.certPem);
    expect(metricValue(text, 'palisade_namespace_label_lookups_total{source="unknown"}')).toBe(1);
  } finally {
    await denied.stop();
  }
});
