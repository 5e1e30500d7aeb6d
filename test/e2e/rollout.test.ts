// A rollout loses no request: two Palisades behind a real TCP load balancer (haproxy, standing
// in for the Service), a webhook with failurePolicy Fail whose clientConfig.url is haproxy's,
// and each Palisade restarted in turn (SIGTERM, wait for the exit, start again on its port)
// while a client sends dry-run creates through the real apiserver at 100 a second. Every create
// must succeed. What makes it hold: readiness off at once (haproxy's health check takes the
// server out, as endpoints drop a Terminating pod), answers with `Connection: close` during
// server.drainDelaySeconds (the apiserver's kept-alive connections move to the other server),
// then the close (a refused connect is retried on the other server) — docs/chart.md.
import { kubectl, KUBECONFIG, requireCluster } from '../support/cluster';
import { startCreateLoad, type LoadResult } from './create-load';
import { startHaproxy, type Haproxy } from './haproxy';
import { podObject } from './manifests';
import { createNamespace, uniqueName } from './namespaces';
import { startPalisade, type Palisade } from '../support/palisade';
import { onlyPolicies } from '../support/policy-selection';
import { kubeApi, type KubeApi } from '../support/kube-api';
import {
  applyWebhook,
  deleteWebhook,
  waitForWebhook,
  type WebhookSpec,
} from './webhook-configuration';
import { generateCA } from '../../src/certs/generate';

const WEBHOOK = 'rollout.palisade.dev';
const LABEL = 'e2e.palisade.dev/rollout';
// Longer than haproxy needs to see readiness off (2 checks 200 ms apart), as the default 10 s is
// longer than endpoints take to drop a pod.
const DRAIN_DELAY_SECONDS = 2;

const run = uniqueName('rollout').slice(8);
const ca = generateCA('palisade-rollout-ca', 30);
const config = {
  policies: onlyPolicies({ 'disallow-privileged': { action: 'deny' } }),
  server: { drainDelaySeconds: DRAIN_DELAY_SECONDS },
};
const palisades: Record<'a' | 'b', Palisade | undefined> = { a: undefined, b: undefined };
let haproxy: Haproxy | undefined;
let apis: KubeApi[] = [];
let namespace = '';
let spec: WebhookSpec;
let bumps = 0;

beforeAll(async () => {
  requireCluster();
  palisades.a = await startPalisade({ config, ca });
  palisades.b = await startPalisade({ config, ca });
  haproxy = await startHaproxy([
    { name: 'a', port: palisades.a.port },
    { name: 'b', port: palisades.b.port },
  ]);
  await haproxy.waitForStatus('a', 'UP');
  await haproxy.waitForStatus('b', 'UP');
  namespace = await createNamespace(uniqueName('rollout'), { [LABEL]: run });
  spec = {
    configName: `palisade-e2e-rollout-${run}`,
    webhookName: WEBHOOK,
    url: haproxy.validateUrl,
    caPem: ca.certPem,
    failurePolicy: 'Fail',
    operations: ['CREATE'],
    namespaceSelector: { matchLabels: { [LABEL]: run } },
  };
  await applyWebhook(spec);
  await waitForWebhook(namespace, WEBHOOK);
  // Three clients, 12 sockets: room for 12 creates in flight on a busy machine.
  apis = [kubeApi(KUBECONFIG), kubeApi(KUBECONFIG), kubeApi(KUBECONFIG)];
});

afterAll(async () => {
  if (spec) await deleteWebhook(spec.configName);
  for (const a of apis) a.close();
  await haproxy?.stop();
  for (const p of Object.values(palisades)) await p?.stop();
});

/**
 * Makes the apiserver open new connections to the webhook: a caBundle it has not seen (one more
 * trailing newline each time; it caches a client per caBundle) gives it a new client with an
 * empty pool. Its kept-alive connections would otherwise stay on the server that did not
 * restart, and haproxy (leastconn) sends the next new connection to the restarted one, which
 * has none.
 */
async function newApiserverConnections(): Promise<void> {
  bumps++;
  await applyWebhook({ ...spec, caPem: ca.certPem + '\n'.repeat(bumps) });
}

async function restart(name: 'a' | 'b'): Promise<void> {
  const old = palisades[name]!;
  palisades[name] = undefined;
  expect(await old.stop()).toBe(0);
  expect(old.output()).toContain(
    '"msg":"closing: no new connections, finishing in-flight requests"',
  );
  const fresh = await startPalisade({ config, ca, port: old.port });
  palisades[name] = fresh;
  await haproxy!.waitForStatus(name, 'UP');
  await newApiserverConnections();
  await fresh.waitForDecisions((d) => d.namespace === namespace, 20);
}

it('restarting each Palisade in turn under 100 dry-run creates a second: no create fails', async () => {
  const pod = podObject('web');
  const load = startCreateLoad(apis, namespace, pod, { ratePerSecond: 100, concurrency: 12 });
  let result: LoadResult | undefined;
  try {
    await restart('a');
    await restart('b');
  } finally {
    result = await load.stop();
  }
  const connectErrors = {
    a: await haproxy!.connectErrors('a'),
    b: await haproxy!.connectErrors('b'),
  };
  const rate = result.sent / result.seconds;
  const served = (name: 'a' | 'b') =>
    palisades[name]!.decisions().filter((d) => d.namespace === namespace).length;
  console.log(
    `rollout: ${result.sent} creates in ${result.seconds.toFixed(1)} s (${rate.toFixed(0)}/s), ` +
      `${result.failures.length} failed, slowest ${result.slowestMs} ms; after the restarts a decided ${served('a')}, b ${served('b')}; ` +
      `haproxy connect errors a ${connectErrors.a}, b ${connectErrors.b}`,
  );
  expect(result.failures).toEqual([]);
  // No connection reached a closed listener: through a Service, unlike haproxy with its
  // redispatch, each would have been a failed webhook call.
  expect(connectErrors).toEqual({ a: 0, b: 0 });
  expect(rate).toBeGreaterThanOrEqual(50);
  // Both restarted processes answered the apiserver (restart() waited for 20 decisions each).
  expect(served('a')).toBeGreaterThanOrEqual(20);
  expect(served('b')).toBeGreaterThanOrEqual(20);
  // Nothing was stored: every create was a dry run.
  const pods = await kubectl(['get', 'pods', '-n', namespace, '-o', 'name']);
  expect(pods.stdout).toBe('');
});
