// What a developer sees in kubectl when the real kube-apiserver calls Palisade: Palisade runs as
// `npm start` runs it, registered with a ValidatingWebhookConfiguration (clientConfig.url +
// caBundle); every assertion is on kubectl's exact output and on Palisade's decision log.
import { deployment, IMAGE, pod } from './manifests';
import { kubectlIn as k, startWebhookSuite, WEBHOOK, type WebhookSuite } from './webhook-suite';
import { waitForWebhook } from './webhook-configuration';
import { kubectl } from '../support/cluster';

let suite: WebhookSuite;
beforeAll(async () => {
  // disallow-privileged also sees DELETE, to show a DELETE reaches Palisade and passes.
  suite = await startWebhookSuite({
    'disallow-privileged': { match: { operations: ['CREATE', 'UPDATE', 'DELETE'] } },
  });
}, 120_000);
afterAll(() => suite?.close());

const ok = (stdout: string, stderr = '') => ({ code: 0, stdout, stderr });
const fail = (stderr: string) => ({ code: 1, stdout: '', stderr });

const privileged = (path: string) =>
  `admission webhook "${WEBHOOK}" denied the request: 1 violation of 1 policy:\n` +
  `- [disallow-privileged] ${path}: privileged (container "app" must not set ` +
  'securityContext.privileged=true). Fix: remove securityContext.privileged or set it to false.\n';
const POD_DENIED = privileged('spec.containers[0].securityContext.privileged');
const TEMPLATE_DENIED = privileged('spec.template.spec.containers[0].securityContext.privileged');
// require-resource-limits and require-resource-requests are warn by default. A warning keeps its
// path only within 120 characters; a longer message stays whole (up to 256).
const NO_RESOURCES_WARNINGS =
  'Warning: [require-resource-limits] resource limits (container "app" must set ' +
  'resources.limits.cpu, resources.limits.memory)\n' +
  'Warning: [require-resource-requests] resource requests (container "app" must set ' +
  'resources.requests.cpu, resources.requests.memory)\n';

/** [operation, kind, name, decision, dryRun] of each decision line. */
const summary = (ds: Awaited<ReturnType<WebhookSuite['decisionsIn']>>) =>
  ds.map((d) => [d.operation, d.kind, d.name, d.decision, d.dryRun]);

it('creates a compliant Pod and Deployment', async () => {
  const ns = await suite.namespace('e2e-compliant');
  expect(await k(ns, ['create', '-f', '-'], pod('web'))).toEqual(ok('pod/web created\n'));
  expect(await k(ns, ['create', '-f', '-'], deployment('web'))).toEqual(
    ok('deployment.apps/web created\n'),
  );
  expect(await k(ns, ['get', 'pods,deployments', '-o', 'name'])).toEqual(
    ok('pod/web\ndeployment.apps/web\n'),
  );
  expect(summary(await suite.decisionsIn(ns, { name: 'web', count: 2 }))).toEqual([
    ['CREATE', 'Pod', 'web', 'allow', false],
    ['CREATE', 'Deployment', 'web', 'allow', false],
  ]);
});

it('denies a privileged Pod, naming the policy, the field and the fix', async () => {
  const ns = await suite.namespace('e2e-privileged');
  expect(await k(ns, ['create', '-f', '-'], pod('priv', { privileged: true }))).toEqual(
    fail(`Error from server (Forbidden): error when creating "STDIN": ${POD_DENIED}`),
  );
  expect(await k(ns, ['get', 'pod', 'priv'])).toEqual(
    fail('Error from server (NotFound): pods "priv" not found\n'),
  );
});

it('denies a Deployment with a privileged pod template at apply time', async () => {
  const ns = await suite.namespace('e2e-template');
  expect(await k(ns, ['apply', '-f', '-'], deployment('priv', { privileged: true }))).toEqual(
    fail(`Error from server (Forbidden): error when creating "STDIN": ${TEMPLATE_DENIED}`),
  );
  expect(await k(ns, ['get', 'deployment', 'priv'])).toEqual(
    fail('Error from server (NotFound): deployments.apps "priv" not found\n'),
  );
});

it('admits an object that breaks a warn policy, with one Warning line per violation', async () => {
  const ns = await suite.namespace('e2e-warn');
  expect(await k(ns, ['create', '-f', '-'], pod('bare', { resources: false }))).toEqual(
    ok('pod/bare created\n', NO_RESOURCES_WARNINGS),
  );
  expect(await k(ns, ['create', '-f', '-'], deployment('bare', { resources: false }))).toEqual(
    ok('deployment.apps/bare created\n', NO_RESOURCES_WARNINGS),
  );
  expect(await k(ns, ['get', 'pods,deployments', '-o', 'name'])).toEqual(
    ok('pod/bare\ndeployment.apps/bare\n'),
  );
});

it('gives kubectl apply --dry-run=server the same decisions, and stores nothing', async () => {
  const ns = await suite.namespace('e2e-dry-run');
  const dry = (yaml: string) => k(ns, ['apply', '--dry-run=server', '-f', '-'], yaml);
  expect(await dry(pod('priv', { privileged: true }))).toEqual(
    fail(`Error from server (Forbidden): error when creating "STDIN": ${POD_DENIED}`),
  );
  expect(await dry(deployment('priv', { privileged: true }))).toEqual(
    fail(`Error from server (Forbidden): error when creating "STDIN": ${TEMPLATE_DENIED}`),
  );
  expect(await dry(pod('bare', { resources: false }))).toEqual(
    ok('pod/bare created (server dry run)\n', NO_RESOURCES_WARNINGS),
  );
  expect(await dry(deployment('web'))).toEqual(
    ok('deployment.apps/web created (server dry run)\n'),
  );
  expect(await k(ns, ['get', 'pods,deployments'])).toEqual(
    ok('', `No resources found in ${ns} namespace.\n`),
  );
  expect(summary(await suite.decisionsIn(ns, { name: 'web' }))).toEqual([
    ['CREATE', 'Pod', 'priv', 'deny', true],
    ['CREATE', 'Deployment', 'priv', 'deny', true],
    ['CREATE', 'Pod', 'bare', 'allow', true],
    ['CREATE', 'Deployment', 'web', 'allow', true],
  ]);
});

it('denies an UPDATE into violation (apply, patch), keeps the object, warns on a set image', async () => {
  const ns = await suite.namespace('e2e-update');
  expect(await k(ns, ['apply', '-f', '-'], deployment('web'))).toEqual(
    ok('deployment.apps/web created\n'),
  );
  // kubectl apply sends a strategic merge patch whose annotation is the whole manifest (keys
  // sorted, namespace filled in) and prints it in the error: the expected text is built here.
  const resources = {
    limits: { cpu: '100m', memory: '64Mi' },
    requests: { cpu: '100m', memory: '64Mi' },
  };
  const lastApplied = JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { annotations: {}, labels: { app: 'web' }, name: 'web', namespace: ns },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { image: IMAGE, name: 'app', resources, securityContext: { privileged: true } },
          ],
        },
      },
    },
  });
  const applyPatch = JSON.stringify({
    metadata: {
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': `${lastApplied}\n` },
    },
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'app' }],
          containers: [{ name: 'app', securityContext: { privileged: true } }],
        },
      },
    },
  });
  expect(await k(ns, ['apply', '-f', '-'], deployment('web', { privileged: true }))).toEqual(
    fail(
      `Error from server (Forbidden): error when applying patch:\n${applyPatch}\nto:\n` +
        'Resource: "apps/v1, Resource=deployments", GroupVersionKind: "apps/v1, Kind=Deployment"\n' +
        `Name: "web", Namespace: "${ns}"\n` +
        `for: "STDIN": error when patching "STDIN": ${TEMPLATE_DENIED}`,
    ),
  );
  const patch =
    '{"spec":{"template":{"spec":{"containers":[{"name":"app","securityContext":{"privileged":true}}]}}}}';
  expect(await k(ns, ['patch', 'deployment', 'web', '-p', patch])).toEqual(
    fail(`Error from server (Forbidden): ${TEMPLATE_DENIED}`),
  );
  expect(await k(ns, ['set', 'image', 'deployment/web', 'app=registry.k8s.io/pause'])).toEqual(
    ok(
      'deployment.apps/web image updated\n',
      'Warning: [disallow-latest-tag] image without tag (container "app" must not use image ' +
        '"registry.k8s.io/pause", which pulls "latest")\n',
    ),
  );
  const stored = await k(ns, [
    'get',
    'deployment',
    'web',
    '-o',
    'jsonpath={.spec.template.spec.containers[0]}',
  ]);
  // The denied updates left nothing behind; the allowed one did its work.
  const container = JSON.parse(stored.stdout) as Record<string, unknown>;
  expect(container).not.toHaveProperty('securityContext');
  expect(container.image).toBe('registry.k8s.io/pause');
  expect(
    summary(await suite.decisionsIn(ns, { name: 'web', operation: 'UPDATE', count: 3 })),
  ).toEqual([
    ['CREATE', 'Deployment', 'web', 'allow', false],
    ['UPDATE', 'Deployment', 'web', 'deny', false],
    ['UPDATE', 'Deployment', 'web', 'deny', false],
    ['UPDATE', 'Deployment', 'web', 'allow', false],
  ]);
});

it('lets an existing privileged Pod be relabelled and DELETEd, and judges a new image', async () => {
  // The Pod is stored before the webhook watches its namespace, as when Palisade is installed
  // into a running cluster; then the namespace gets the webhook's label.
  const ns = await suite.namespace('e2e-existing', { unwatched: true });
  expect(await k(ns, ['create', '-f', '-'], pod('old', { privileged: true }))).toEqual(
    ok('pod/old created\n'),
  );
  const label = Object.entries(suite.webhookLabels()).map(([key, v]) => `${key}=${v}`);
  expect((await kubectl(['label', 'namespace', ns, ...label])).code).toBe(0);
  await waitForWebhook(ns, WEBHOOK); // the apiserver sees namespace labels through an informer
  // As Pod Security Admission does, a Pod UPDATE that changes no image and adds no container is
  // not judged again (the rest of a Pod's spec is immutable): its controllers can still label
  // it and remove finalizers. A new image is judged, with the whole Pod.
  expect(await k(ns, ['label', 'pod', 'old', 'team=a'])).toEqual(ok('pod/old labeled\n'));
  expect(await k(ns, ['set', 'image', 'pod/old', `app=${IMAGE}-next`])).toEqual(
    fail(`error: failed to patch image update to pod template: ${POD_DENIED}`),
  );
  const updates = await suite.decisionsIn(ns, { name: 'old', operation: 'UPDATE', count: 2 });
  expect(summary(updates.filter((d) => d.name === 'old'))).toEqual([
    ['UPDATE', 'Pod', 'old', 'allow', false],
    ['UPDATE', 'Pod', 'old', 'deny', false],
  ]);
  expect(await k(ns, ['delete', 'pod', 'old', '--wait=false'])).toEqual(ok('pod "old" deleted\n'));
  const deletes = (await suite.decisionsIn(ns, { name: 'old', operation: 'DELETE' })).filter(
    (d) => d.operation === 'DELETE',
  );
  // The apiserver may ask more than once for one delete (graceful deletion, then removal).
  expect(deletes.length).toBeGreaterThan(0);
  for (const d of deletes) {
    expect(d).toMatchObject({ name: 'old', decision: 'allow', policies: ['disallow-privileged'] });
    expect(d.violations).toEqual([]);
  }
});

it('never sends a request in an excluded namespace to Palisade', async () => {
  const excluded = await suite.namespace('e2e-excluded', { excluded: true });
  expect(await k(excluded, ['create', '-f', '-'], pod('priv', { privileged: true }))).toEqual(
    ok('pod/priv created\n'),
  );
  // Palisade answers in order: once a later request's decision is logged, a line for the
  // excluded namespace would be too.
  const watched = await suite.namespace('e2e-after-excluded');
  expect((await k(watched, ['create', '-f', '-'], pod('marker'))).code).toBe(0);
  await suite.decisionsIn(watched, { name: 'marker' });
  expect(suite.palisade.decisions().filter((d) => d.namespace === excluded)).toEqual([]);
});
