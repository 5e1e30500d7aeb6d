// Issue 13's end to end: the real apiserver calls a Palisade whose policies come from an oci://
// reference on the real registry (CNCF Distribution, TLS, htpasswd), shipped as a policy author
// ships them (docs/bundles.md): `palisade build --output --signing-key`, `palisade push`.
//
// 1. Bundle A (disallow-privileged deny, disallow-latest-tag off) serves: kubectl shows A's denial.
// 2. A signed bundle B (A off, disallow-latest-tag deny) is pushed to the same tag while creates
//    stream through the apiserver: Palisade activates B by itself (its poll), kubectl shows B's
//    denial and not A's, and not one create failed meanwhile; a second replica follows too.
// 3. An unsigned bundle, then a tampered one, pushed to the tag: both refused and counted, B
//    still decides.
// 4. The registry stopped, Palisade restarted: it serves B from its cache.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readTarGz, writeTarGz } from '../../src/policy/artifact/tar';
import { KUBECONFIG, kubectl, requireCluster } from '../support/cluster';
import { fetchMetrics, metricValue } from '../support/https-client';
import { kubeApi } from '../support/kube-api';
import { startPalisade, type DecisionLine, type LogLine, type Palisade } from '../support/palisade';
import { startRegistry, type TestRegistry } from '../support/registry';
import { ROOT } from '../support/root';
import { startCreateLoad } from './create-load';
import { podObject } from './manifests';
import { createNamespace, uniqueName } from './namespaces';
import { applyWebhook, deleteWebhook, waitForWebhook } from './webhook-configuration';

const run = promisify(execFile);
const CLI = join(ROOT, 'bin', 'palisade.js');
const WEBHOOK = 'bundles.palisade.dev';
const KEY_ID = 'e2e-2026';
const POLL_SECONDS = 1;

const work = mkdtempSync(join(tmpdir(), 'palisade-e2e-bundles-'));
const palisadeDir = join(work, 'palisade'); // config, certificate and the cache: kept on restart
mkdirSync(palisadeDir);
const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const privateKey = join(work, 'signing.key');
const publicKey = join(work, `${KEY_ID}.pem`);
writeFileSync(privateKey, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }));
writeFileSync(publicKey, keys.publicKey.export({ type: 'spki', format: 'pem' }));

/** The pod every bundle here judges: privileged (policy A) and on :latest (policy B). */
const BOTH = podObject('both');
(BOTH.spec as { containers: Record<string, unknown>[] }).containers[0]!.image = 'nginx:latest';
(BOTH.spec as { containers: Record<string, unknown>[] }).containers[0]!.securityContext = {
  privileged: true,
};

type Action = 'deny' | 'off';

/**
 * A policy folder with disallow-privileged (A) and disallow-latest-tag (B) at these actions,
 * built by the CLI into a bundle archive, signed with the test key unless `signed` is false.
 */
async function buildBundle(name: string, a: Action, b: Action, signed = true): Promise<string> {
  const dir = join(work, name);
  for (const f of ['lib', 'capabilities.json', 'policy.schema.json'])
    cpSync(join(ROOT, 'policies', f), join(dir, f), { recursive: true });
  for (const [id, action] of [
    ['disallow-privileged', a],
    ['disallow-latest-tag', b],
  ] as const) {
    cpSync(join(ROOT, 'policies', id), join(dir, id), { recursive: true });
    const yaml = join(dir, id, 'policy.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace(/^action: .*$/m, `action: '${action}'`));
  }
  const out = join(work, `${name}.tar.gz`);
  const signing = signed
    ? ['--signing-key', privateKey, '--signing-alg', 'ES256', '--signing-key-id', KEY_ID]
    : [];
  await run(process.execPath, [CLI, 'build', dir, '--output', out, '--revision', name, ...signing]);
  return out;
}

/** `palisade push` of `file` to the tag Palisade follows, as the CI recipe does. */
async function push(file: string): Promise<void> {
  await run(process.execPath, [
    CLI,
    'push',
    reference,
    file,
    '--credentials-file',
    registry.credentialsFile,
    '--ca-file',
    registry.caFile,
  ]);
}

let registry: TestRegistry;
let reference: string;
let palisade: Palisade;
/** A second replica on the same tag, which no webhook calls: every replica follows a push. */
let replica: Palisade;
let namespace: string;
let webhookConfig: string;
let bundleA: string;
let bundleB: string;

function config(cacheDir = join(palisadeDir, 'cache')): Record<string, unknown> {
  return {
    bundle: {
      source: reference,
      pollSeconds: POLL_SECONDS,
      credentialsFile: registry.credentialsFile,
      caFile: registry.caFile,
      cacheDir,
      verification: {
        required: true,
        publicKeys: [{ keyId: KEY_ID, file: publicKey, algorithm: 'ES256' }],
      },
    },
  };
}

const activated = (revision: string) => (l: LogLine) =>
  l.msg === 'bundle activated' && l.revision === revision;
/** Palisade's `bundle <stage> failed; …` line with this stage and reason. */
const refused = (stage: string, reason: string) => (l: LogLine) =>
  l.msg.startsWith(`bundle ${stage} failed`) && l.reason === reason;

/** kubectl's answer to a dry-run create of BOTH in the test namespace. */
async function createBoth(): Promise<string> {
  const r = await kubectl(
    ['create', '--dry-run=server', '-n', namespace, '-f', '-'],
    JSON.stringify(BOTH),
  );
  expect(r.code).toBe(1);
  return r.stderr;
}

const DENIED = `admission webhook "${WEBHOOK}" denied the request: 1 violation of 1 policy:\n- `;

beforeAll(async () => {
  requireCluster();
  [bundleA, bundleB] = await Promise.all([
    buildBundle('a', 'deny', 'off'),
    buildBundle('b', 'off', 'deny'),
  ]);
  registry = await startRegistry();
  reference = registry.ref(`e2e/${uniqueName('policies')}:live`);
  await push(bundleA);
  palisade = await startPalisade({ config: config(), dir: palisadeDir });
  replica = await startPalisade({ config: config(join(work, 'replica-cache')) });
  await Promise.all([palisade.waitForLog(activated('a')), replica.waitForLog(activated('a'))]);
  const label = { 'e2e.palisade.dev/webhook': uniqueName('bundles') };
  namespace = await createNamespace(uniqueName('e2e-bundles'), label);
  webhookConfig = `palisade-e2e-${label['e2e.palisade.dev/webhook']}`;
  await applyWebhook({
    configName: webhookConfig,
    webhookName: WEBHOOK,
    url: palisade.validateUrl,
    caPem: palisade.ca.certPem,
    failurePolicy: 'Fail',
    namespaceSelector: { matchLabels: label },
  });
  // Bundle A denies the privileged probe waitForWebhook sends.
  await waitForWebhook(namespace, WEBHOOK);
}, 600_000);

afterAll(async () => {
  if (webhookConfig) await deleteWebhook(webhookConfig);
  await palisade?.stop();
  await replica?.stop();
  await registry?.remove();
  rmSync(work, { recursive: true, force: true });
});

it('serves bundle A from the registry: kubectl shows its denial', async () => {
  const stderr = await createBoth();
  expect(stderr).toContain(`${DENIED}[disallow-privileged] spec.containers[0].securityContext`);
  expect(stderr).not.toContain('[disallow-latest-tag]');
});

it('picks up a signed bundle B pushed to the same tag, with no failed request meanwhile', async () => {
  const api = kubeApi(KUBECONFIG);
  const load = startCreateLoad([api], namespace, podObject('ok'), {
    ratePerSecond: 8,
    concurrency: 2,
  });
  const decidedHere = (lines: LogLine[]) =>
    lines.filter((l) => l.msg === 'admission decision' && l.namespace === namespace).length;
  // Some creates decided on A first.
  const before = decidedHere(palisade.logLines());
  await palisade.waitForDecisions((d) => d.namespace === namespace, before + 3);
  await push(bundleB);
  // Palisade's own poll finds the new manifest digest; nothing here asks it to.
  await palisade.waitForLog(activated('b'), 60_000);
  const swap = palisade.logLines().findIndex(activated('b'));
  // The stream goes on until creates decided on B have reached Palisade too.
  await palisade.process.until(
    () => (decidedHere(palisade.logLines().slice(swap)) >= 5 ? true : undefined),
    'five creates decided after the swap',
  );
  const result = await load.stop();
  api.close();
  expect(result.failures).toEqual([]);
  expect(decidedHere(palisade.logLines().slice(0, swap))).toBeGreaterThan(before);
  // Every create of the stream reached Palisade and was allowed, none by an error.
  const ok = (d: DecisionLine) => d.namespace === namespace && d.name === 'ok';
  const decided = await palisade.waitForDecisions(ok, result.sent);
  expect(decided).toHaveLength(result.sent);
  expect(decided.filter((d) => !d.allowed || d.decision !== 'allow')).toEqual([]);

  const stderr = await createBoth();
  expect(stderr).toContain(`${DENIED}[disallow-latest-tag]`);
  expect(stderr).not.toContain('[disallow-privileged]');
  // The other replica found the push by its own poll too.
  await replica.waitForLog(activated('b'), 60_000);
  for (const p of [palisade, replica]) {
    const metrics = await fetchMetrics(p.port, p.ca.certPem);
    expect(metrics).toMatch(/palisade_bundle_info\{[^}]*revision="b"[^}]*\} 1/);
  }
}, 180_000);

async function failures(stage: string, reason: string): Promise<number> {
  const text = await fetchMetrics(palisade.port, palisade.ca.certPem);
  return (
    metricValue(text, `palisade_bundle_failures_total{stage="${stage}",reason="${reason}"}`) ?? 0
  );
}

it('refuses an unsigned bundle, counts it, and B keeps deciding', async () => {
  const unsigned = await buildBundle('unsigned', 'deny', 'deny', false);
  await push(unsigned);
  await palisade.waitForLog(refused('verification', 'unsigned'), 60_000);
  expect(await failures('verification', 'unsigned')).toBe(1);
  const stderr = await createBoth();
  expect(stderr).toContain(`${DENIED}[disallow-latest-tag]`);
  expect(stderr).not.toContain('[disallow-privileged]');
}, 180_000);

it('refuses a tampered bundle (signed, then data.json changed), counts it, B keeps deciding', async () => {
  const signed = await buildBundle('tampered', 'deny', 'deny');
  const files = readTarGz(readFileSync(signed), signed);
  files.set('data.json', Buffer.from('{"x": 1}\n'));
  const tampered = join(work, 'tampered-changed.tar.gz');
  writeFileSync(tampered, writeTarGz([...files].map(([name, data]) => ({ name, data }))));
  await push(tampered);
  await palisade.waitForLog(refused('verification', 'tampered'), 60_000);
  expect(await failures('verification', 'tampered')).toBe(1);
  const stderr = await createBoth();
  expect(stderr).toContain(`${DENIED}[disallow-latest-tag]`);
}, 180_000);

it('serves B from its cache when restarted while the registry is down', async () => {
  await registry.stop();
  const { port, ca } = palisade;
  await palisade.stop();
  palisade = await startPalisade({ config: config(), dir: palisadeDir, port, ca });
  await palisade.waitForLog((l) => activated('b')(l) && l.from === 'cache');
  // The registry is asked, and the failed download is counted; B serves meanwhile.
  await palisade.waitForLog(refused('download', 'network'));
  const stderr = await createBoth();
  expect(stderr).toContain(`${DENIED}[disallow-latest-tag]`);
  expect(stderr).not.toContain('[disallow-privileged]');
  expect(await failures('download', 'network')).toBeGreaterThanOrEqual(1);
}, 180_000);
