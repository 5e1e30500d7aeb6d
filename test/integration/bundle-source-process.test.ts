// The webhook process (dist/src/main.js) on an https:// bundle source: main.ts's wiring of the
// poller, the runtime, /readyz, the decision log and the bundle metrics. A real HTTPS server
// serves the archives; the test waits on Palisade's log lines, never on time.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { localClient, metricValue, type LocalClient } from '../support/https-client';
import { startPalisadeProcess, type PalisadeProcess } from '../support/palisade-process';
import { writeServingCert, type ServingFiles } from '../support/serving-cert';
import {
  archiveOf,
  BundleServer,
  bundleVariant,
  privilegedLatestPod,
  signingKey,
  tampered,
  tempDir,
} from './bundle-source-fixtures';

let dir: string;
let server: BundleServer;
let serving: ServingFiles;
let a: Buffer;
let b: Buffer;
let configFile: (name: string, cacheDir?: string) => string;

beforeAll(async () => {
  dir = tempDir('bundle-process');
  server = await BundleServer.start(dir);
  serving = writeServingCert(dir, 'palisade');
  const key = signingKey(dir, 'ci');
  a = await archiveOf(bundleVariant(join(dir, 'a'), 'disallow-privileged'), 'rev-a', key);
  b = await archiveOf(bundleVariant(join(dir, 'b'), 'disallow-latest-tag'), 'rev-b', key);
  const caFile = join(dir, 'source-ca.pem');
  writeFileSync(caFile, server.cert.caPem);
  configFile = (name, cacheDir) => {
    const file = join(dir, `${name}.yaml`);
    const bundle = {
      source: server.url,
      pollSeconds: 1,
      caFile,
      ...(cacheDir ? { cacheDir } : {}),
      verification: { publicKeys: [{ keyId: 'ci', file: key.publicFile, algorithm: 'ES256' }] },
    };
    const tls = { certFile: serving.certFile, keyFile: serving.keyFile };
    const config = { server: { tls, drainDelaySeconds: 0 }, watch: true, bundle };
    writeFileSync(file, JSON.stringify(config));
    return file;
  };
});
afterAll(() => server.close());

async function start(config: string): Promise<{ p: PalisadeProcess; client: LocalClient }> {
  const p = await startPalisadeProcess({ args: ['--config', config, '--port', '0'] });
  return { p, client: localClient(p.port, serving.caPem) };
}

/** The policy that denied the privileged pod with a latest image, or the answer's message. */
async function denier(client: LocalClient): Promise<string> {
  const answer = await client.post('/validate', privilegedLatestPod());
  expect(answer.status).toBe(200);
  const message: string = answer.json().response.status?.message ?? 'allowed';
  return /disallow-privileged|privileged/i.test(message) && !/latest/i.test(message)
    ? 'A'
    : /latest/i.test(message)
      ? 'B'
      : message;
}

const ACTIVATED = '"msg":"bundle activated"';

it('serves the source`s bundle, swaps a new push in with no request failing, refuses a tampered one and counts it', async () => {
  server.publish(a);
  const { p, client } = await start(configFile('swap', join(dir, 'cache')));
  try {
    expect(p.count(ACTIVATED)).toBe(1);
    expect((await client.get('/readyz')).json()).toEqual({ status: 'ready' });
    expect(await denier(client)).toBe('A');
    let metrics = (await client.get('/metrics')).text;
    const info = `palisade_bundle_info{revision="rev-a",digest="${p.logLines().find((l) => l.msg === 'bundle activated')!.digest}",source="${server.url}"}`;
    expect(metricValue(metrics, info)).toBe(1);

    // Decisions keep coming while the next poll swaps B in; every one is answered, A or B.
    server.publish(b);
    const answers: string[] = [];
    let swapped = false;
    const swap = p.logged(ACTIVATED, 2).then(() => (swapped = true));
    // Eight clients at once, so the swap happens with decisions in flight on the worker pool.
    const loop = async () => {
      while (!swapped) answers.push(await denier(client));
    };
    await Promise.all([swap, ...Array.from({ length: 8 }, loop)]);
    answers.push(await denier(client));
    expect(answers.filter((x) => x !== 'A' && x !== 'B')).toEqual([]);
    expect(answers.at(-1)).toBe('B');
    expect(
      p
        .logLines()
        .filter((l) => l.msg === 'bundle activated')
        .map((l) => l.revision),
    ).toEqual(['rev-a', 'rev-b']);

    server.publish(tampered(b));
    await p.logged('bundle verification failed');
    expect(await denier(client)).toBe('B');
    const failure = p.logLines().find((l) => String(l.msg).startsWith('bundle verification'))!;
    expect(failure).toMatchObject({ stage: 'verification', reason: 'tampered', level: 50 });
    expect(failure.msg).toContain('revision rev-b');
    metrics = (await client.get('/metrics')).text;
    expect(
      metricValue(
        metrics,
        'palisade_bundle_failures_total{stage="verification",reason="tampered"}',
      ),
    ).toBe(1);
    expect(metricValue(metrics, 'palisade_bundle_checks_total{result="activated"}')).toBe(2);
    expect(metricValue(metrics, 'palisade_bundle_checks_total{result="failed"}')).toBe(1);
    expect(metrics).toContain('palisade_bundle_info{revision="rev-b"');
    expect(metrics).not.toContain('palisade_bundle_info{revision="rev-a"');
  } finally {
    await p.stop();
  }

  // A restart with the source down serves B from the cache.
  server.down = true;
  const again = await start(configFile('swap', join(dir, 'cache')));
  try {
    const line = again.p.logLines().find((l) => l.msg === 'bundle activated')!;
    expect(line).toMatchObject({ revision: 'rev-b', from: 'cache' });
    await again.p.logged('bundle download failed');
    expect((await again.client.get('/readyz')).status).toBe(200);
    expect(await denier(again.client)).toBe('B');
  } finally {
    server.down = false;
    await again.p.stop();
  }
});

it('never had a verified bundle: not ready, says why in its log and /readyz, and denies by the failure mode', async () => {
  server.publish(tampered(a));
  const { p, client } = await start(configFile('pending'));
  try {
    expect(p.output()).toContain('not ready: no verified bundle');
    const ready = await client.get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.json().status).toBe('not ready');
    expect(ready.json().reason).toContain('refused: data.json');
    const answer = (await client.post('/validate', privilegedLatestPod())).json();
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status.message).toContain('no verified policy bundle yet');

    // The next good push makes it ready.
    server.publish(a);
    await p.logged(ACTIVATED);
    expect((await client.get('/readyz')).status).toBe(200);
    expect(await denier(client)).toBe('A');
  } finally {
    await p.stop();
  }
});
