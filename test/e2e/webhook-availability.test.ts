// Palisade's availability as the apiserver sees it: its serving certificate replaced while the
// apiserver keeps calling (no failed request), then Palisade stopped: failurePolicy Fail refuses
// with the apiserver's own message, Ignore admits, and Palisade's own namespace, which the
// webhook's namespaceSelector excludes, stays manageable (no self-deadlock).
import { deployment, pod } from './manifests';
import { createNamespace, uniqueName } from './namespaces';
import { fingerprint, servedFingerprint } from '../support/serving-cert';
import { applyWebhook, deleteWebhook, waitForWebhook } from './webhook-configuration';
import { kubectlIn as k, startWebhookSuite, WEBHOOK, type WebhookSuite } from './webhook-suite';

let suite: WebhookSuite;
beforeAll(async () => {
  suite = await startWebhookSuite();
}, 120_000);
afterAll(() => suite?.close());

const ok = (stdout: string, stderr = '') => ({ code: 0, stdout, stderr });
const fail = (stderr: string) => ({ code: 1, stdout: '', stderr });
const POD_DENIED =
  `Error from server (Forbidden): error when creating "STDIN": admission webhook "${WEBHOOK}" ` +
  'denied the request: 1 violation of 1 policy:\n- [disallow-privileged] ' +
  'spec.containers[0].securityContext.privileged: privileged (container "app" must not set ' +
  'securityContext.privileged=true). Fix: remove securityContext.privileged or set it to false.\n';

// Requests before the replacement, and at least as many after Palisade logged it.
const CALLS = 100;
const REPLACE_AT = 20;
const AFTER_RELOAD = 40;
const MAX_CALLS = 400;

it('serves a replaced certificate without one failed request', async () => {
  const ns = await suite.namespace('e2e-cert');
  const { palisade } = suite;
  const before = await servedFingerprint(palisade.port, palisade.ca.certPem);
  let newCert = '';
  const failures: string[] = [];
  const reloadedAt = () =>
    palisade.logLines().findIndex((l) => l.msg === 'serving certificate reloaded');
  const decidedAfterReload = () => {
    const at = reloadedAt();
    if (at < 0) return 0;
    return palisade
      .logLines()
      .slice(at)
      .filter((l) => l.msg === 'admission decision' && l.namespace === ns).length;
  };
  // Alternately allowed and denied, so each answer proves Palisade itself decided it.
  let i = 0;
  for (; i < MAX_CALLS && (i < CALLS || decidedAfterReload() < AFTER_RELOAD); i++) {
    if (i === REPLACE_AT) newCert = palisade.writeNewCertificate();
    const name = `p${i}`;
    const priv = i % 2 === 1;
    const r = await k(
      ns,
      ['create', '--dry-run=server', '-f', '-'],
      pod(name, { privileged: priv }),
    );
    const want = priv ? fail(POD_DENIED) : ok(`pod/${name} created (server dry run)\n`);
    if (JSON.stringify(r) !== JSON.stringify(want)) failures.push(`${name}: ${r.stderr}`);
  }
  expect(failures).toEqual([]);
  expect(reloadedAt()).toBeGreaterThan(0);
  // Every request went to Palisade, a good share of them after the new certificate was in place.
  await palisade.waitForDecisions((d) => d.namespace === ns, i);
  expect(palisade.decisions().filter((d) => d.namespace === ns)).toHaveLength(i);
  expect(decidedAfterReload()).toBeGreaterThanOrEqual(AFTER_RELOAD);
  const after = await servedFingerprint(palisade.port, palisade.ca.certPem);
  expect(after).not.toBe(before);
  expect(after).toBe(fingerprint(newCert));
}, 180_000);

it('has the new certificate accepted by the apiserver on a new connection', async () => {
  // The apiserver keeps its connection to a webhook alive, so the calls above may all have used
  // the handshake made before the replacement. It builds a new client, and so a new connection,
  // for a webhook whose caBundle differs in any byte: the same CA with a trailing newline.
  const { palisade } = suite;
  const label = { 'e2e.palisade.dev/webhook': uniqueName('fresh') };
  const spec = {
    configName: `palisade-e2e-${label['e2e.palisade.dev/webhook']}`,
    webhookName: 'fresh.palisade.dev',
    url: palisade.validateUrl,
    caPem: `${palisade.ca.certPem}\n`,
    failurePolicy: 'Fail' as const,
    namespaceSelector: { matchLabels: label },
  };
  const ns = await createNamespace(uniqueName('e2e-fresh'), label);
  await applyWebhook(spec);
  try {
    await waitForWebhook(ns, spec.webhookName); // fails with the apiserver's x509 error if refused
  } finally {
    await deleteWebhook(spec.configName);
  }
});

describe('with Palisade stopped', () => {
  beforeAll(async () => {
    expect(await suite.palisade.stop()).toBe(0);
  });

  it('refuses requests under failurePolicy Fail with the apiserver message', async () => {
    const ns = await suite.namespace('e2e-down-fail');
    const { port } = suite.palisade;
    expect(await k(ns, ['create', '-f', '-'], pod('web'))).toEqual(
      fail(
        'Error from server (InternalError): error when creating "STDIN": Internal error ' +
          `occurred: failed calling webhook "${WEBHOOK}": failed to call webhook: Post ` +
          `"https://127.0.0.1:${port}/validate?timeout=5s": dial tcp 127.0.0.1:${port}: ` +
          'connect: connection refused\n',
      ),
    );
    expect(await k(ns, ['get', 'pods'])).toEqual(
      ok('', `No resources found in ${ns} namespace.\n`),
    );
  });

  it('admits requests under failurePolicy Ignore, unjudged', async () => {
    const ns = await suite.namespace('e2e-down-ignore', { failurePolicy: 'Ignore' });
    expect(await k(ns, ['create', '-f', '-'], pod('web'))).toEqual(ok('pod/web created\n'));
    expect(await k(ns, ['create', '-f', '-'], pod('priv', { privileged: true }))).toEqual(
      ok('pod/priv created\n'),
    );
  });

  it("keeps Palisade's own namespace manageable under failurePolicy Fail", async () => {
    // Where Palisade itself runs: excluded by the webhook's namespaceSelector, so it can be
    // redeployed while it is down.
    const ns = await suite.namespace('palisade-system', { excluded: true });
    expect(await k(ns, ['apply', '-f', '-'], deployment('palisade'))).toEqual(
      ok('deployment.apps/palisade created\n'),
    );
    expect(await k(ns, ['create', '-f', '-'], pod('palisade'))).toEqual(
      ok('pod/palisade created\n'),
    );
  });
});
