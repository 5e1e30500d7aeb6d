// data.inventory from the webhook's sync watches against the real kube-apiserver: with
// gatekeeper.sync.kinds naming Ingress, a referential template (unique ingress host, applied with
// kubectl as a ConstraintTemplate) denies an Ingress whose host an existing Ingress already
// claims, and allows it again once that Ingress is deleted. Every wait polls a condition with a
// bound; nothing sleeps.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pinnedOpaPath } from '../../src/policy/build/opa';
import { fetchMetrics, metricValue } from '../support/https-client';
import { KUBECONFIG, kubectl, requireCluster } from '../support/cluster';
import { startPalisade, type Palisade } from '../support/palisade';
import { onlyPolicies } from '../support/policy-selection';
import { ROOT } from '../support/root';
import { installTemplateCrd, kubectlOk, until as untilSupport } from './gatekeeper-support';
import { createNamespace, uniqueName } from './namespaces';
import { deleteWebhook, webhookConfiguration } from './webhook-configuration';

const FIXTURE = join(ROOT, 'test/fixtures/gatekeeper/suites/passing/nested/unique-ingress-host');
const TEMPLATE = readFileSync(join(FIXTURE, 'template.yaml'), 'utf8');
const WEBHOOK = 'inventory.palisade.dev';
const run = uniqueName('inv').slice(4);
const LABEL = 'e2e.palisade.dev/inventory';
const CONSTRAINT_NAME = `unique-ingress-host-${run}`;
// Hosts of this run only: Ingresses of other runs stay in the inventory (no namespace controller).
const HOST = `shop-${run}.example.com`;
let palisade: Palisade;
let ns: string;

const constraint = () =>
  JSON.stringify({
    apiVersion: 'constraints.gatekeeper.sh/v1beta1',
    kind: 'K8sUniqueIngressHostDemo',
    metadata: { name: CONSTRAINT_NAME },
    spec: {
      match: {
        kinds: [{ apiGroups: ['networking.k8s.io'], kinds: ['Ingress'] }],
        namespaces: [ns],
      },
    },
  });

const ingress = (name: string, host: string) =>
  JSON.stringify({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: ns },
    spec: {
      rules: [
        {
          host,
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: 'web', port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    },
  });

const ok = kubectlOk;
const until = <T>(what: string, probe: () => Promise<T | undefined>) =>
  untilSupport(what, probe, () => palisade?.output() ?? '');

const tryCreate = (name: string, host: string) =>
  kubectl(['create', '--dry-run=server', '-f', '-'], ingress(name, host));

beforeAll(async () => {
  requireCluster();
  await installTemplateCrd();
  palisade = await startPalisade({
    config: {
      policies: onlyPolicies({}),
      kubernetes: { kubeconfig: KUBECONFIG },
      gatekeeper: {
        enabled: true,
        opaPath: pinnedOpaPath(),
        podName: `e2e-inventory-${run}`,
        sync: { kinds: [{ group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' }] },
      },
    },
  });
  ns = await createNamespace(uniqueName('e2e-inv'), { [LABEL]: run });
  const config = webhookConfiguration({
    configName: `palisade-e2e-inv-${run}`,
    webhookName: WEBHOOK,
    url: palisade.validateUrl,
    caPem: palisade.ca.certPem,
    failurePolicy: 'Fail',
    namespaceSelector: { matchLabels: { [LABEL]: run } },
  }) as { webhooks: { rules: unknown[] }[] };
  config.webhooks[0]!.rules = [
    {
      apiGroups: ['networking.k8s.io'],
      apiVersions: ['v1'],
      resources: ['ingresses'],
      operations: ['CREATE', 'UPDATE'],
      scope: 'Namespaced',
    },
  ];
  await ok(['apply', '-f', '-'], JSON.stringify(config));
  await ok(['apply', '-f', '-'], TEMPLATE);
  await until('the constraint CRD', async () =>
    (await kubectl(['get', 'crd', 'k8suniqueingresshostdemo.constraints.gatekeeper.sh'])).code === 0
      ? true
      : undefined,
  );
  await ok(['apply', '-f', '-'], constraint());
}, 180_000);

afterAll(async () => {
  await deleteWebhook(`palisade-e2e-inv-${run}`);
  if (ns) await kubectl(['delete', 'ingress', '-n', ns, '--all']);
  await kubectl(['delete', '-f', '-', '--ignore-not-found'], constraint());
  await kubectl(['delete', '-f', '-', '--ignore-not-found'], TEMPLATE);
  await palisade?.stop();
  if (ns) await kubectl(['delete', 'namespace', ns, '--wait=false']);
});

it('denies an Ingress whose host a synced Ingress holds, and lifts it when that one is deleted', async () => {
  // The template compiles and the constraint and the Ingress reach Palisade by watches: wait
  // until the duplicate is denied.
  await ok(['create', '-f', '-'], ingress('shop', HOST));
  const message = `ingress host ${HOST} is already used by ingress ${ns}/shop`;
  const denied = await until('the duplicate host denied', async () => {
    const r = await tryCreate('shop-copy', HOST);
    return r.code !== 0 && r.stderr.includes(message) ? r : undefined;
  });
  expect(denied.stderr).toContain(`admission webhook "${WEBHOOK}" denied the request`);
  expect(denied.stderr).toContain(`[${CONSTRAINT_NAME}] ${message}`);
  // Another host is no conflict.
  expect((await tryCreate('blog', `blog-${run}.example.com`)).code).toBe(0);
  const metrics = await fetchMetrics(palisade.port, palisade.ca.certPem);
  expect(metricValue(metrics, 'palisade_inventory_objects')).toBeGreaterThanOrEqual(1);

  await ok(['delete', 'ingress', '-n', ns, 'shop']);
  const allowed = await until('the host free again', async () => {
    const r = await tryCreate('shop-copy', HOST);
    return r.code === 0 ? r : undefined;
  });
  expect(allowed.stdout).toContain('created (server dry run)');
});
