// The oci:// bundle source on the real registry (CNCF Distribution over TLS with htpasswd,
// test/support/registry.ts): the poller pulls what pushBundle pushed, conditional on the manifest
// digest (an unchanged tag downloads nothing), swaps a new push to the same tag in, refuses a
// tampered or unsigned push with the last good serving, names a wrong password, and a restart
// with the registry down serves from the cache. Polls are called by the test.
import { join } from 'node:path';
import { handleAdmission } from '../../src/admission/handler';
import { readVerification } from '../../src/bundles/archive';
import { BundleCache } from '../../src/bundles/cache';
import { pushBundle } from '../../src/bundles/oci';
import { openSource } from '../../src/bundles/open-source';
import { BundlePoller, type ActiveBundle, type BundleFailure } from '../../src/bundles/poller';
import { validateConfig } from '../../src/config/load';
import { PolicyRuntime } from '../../src/policy/policy-runtime';
import { startRegistry, type TestRegistry } from '../support/registry';
import {
  archiveOf,
  bundleVariant,
  privilegedLatestPod,
  signingKey,
  tampered,
  tempDir,
  type SigningKey,
} from './bundle-source-fixtures';

let registry: TestRegistry;
let dir: string;
let key: SigningKey;
let a: Buffer;
let b: Buffer;

beforeAll(async () => {
  registry = await startRegistry();
  dir = tempDir('bundle-oci');
  key = signingKey(dir, 'ci');
  a = await archiveOf(bundleVariant(join(dir, 'a'), 'disallow-privileged'), 'rev-a', key);
  b = await archiveOf(bundleVariant(join(dir, 'b'), 'disallow-latest-tag'), 'rev-b', key);
}, 120_000);
afterAll(() => registry.remove());

function push(ref: string, bytes: Buffer) {
  return pushBundle(ref, bytes, {
    credentialsFile: registry.credentialsFile,
    caFile: registry.caFile,
  });
}

async function run(ref: string, extra: Record<string, unknown> = {}) {
  const config = validateConfig('test', {
    evaluation: { workers: 0 },
    bundle: {
      source: ref,
      credentialsFile: registry.credentialsFile,
      caFile: registry.caFile,
      verification: { publicKeys: [{ keyId: 'ci', file: key.publicFile, algorithm: 'ES256' }] },
      ...extra,
    },
  });
  const runtime = PolicyRuntime.pending(config, 'waiting for the first bundle');
  const poller = new BundlePoller(openSource(config.bundle)!, {
    runtime,
    verification: await readVerification(config.bundle),
    cache: config.bundle.cacheDir ? new BundleCache(config.bundle.cacheDir) : undefined,
    pollMs: 3_600_000,
  });
  const activated: ActiveBundle[] = [];
  const failed: BundleFailure[] = [];
  let unchanged = 0;
  poller.on('activated', (x) => activated.push(x));
  poller.on('failed', (f) => failed.push(f));
  poller.on('unchanged', () => unchanged++);
  return {
    runtime,
    poller,
    activated,
    failed,
    unchanged: () => unchanged,
    denier: async () => {
      const d = await runtime.use((s) => handleAdmission(privilegedLatestPod(), s));
      return d.outcome === 'deny' ? d.violations[0]!.policy : d.outcome;
    },
    close: async () => {
      await poller.stop();
      await runtime.close();
    },
  };
}

it('pulls the pushed bundle, downloads nothing while the tag is unchanged, swaps a new push in and refuses a bad one', async () => {
  const ref = registry.ref('policies/palisade:stable');
  const first = await push(ref, a);
  const r = await run(ref);
  try {
    await r.poller.start();
    expect(r.failed).toEqual([]);
    expect(r.activated.map((x) => [x.revision, x.digest, x.keyId])).toEqual([
      ['rev-a', first.digest, 'ci'],
    ]);
    expect(await r.denier()).toBe('disallow-privileged');

    const blobGets = () => registry.output().split(`/blobs/${first.layerDigest}`).length;
    const before = blobGets();
    expect(before).toBeGreaterThan(1); // the registry logs the first pull's GET of the layer
    await r.poller.poll();
    expect(r.unchanged()).toBe(1);
    expect(blobGets()).toBe(before);

    const second = await push(ref, b);
    await r.poller.poll();
    expect(r.activated.map((x) => [x.revision, x.digest])).toEqual([
      ['rev-a', first.digest],
      ['rev-b', second.digest],
    ]);
    expect(await r.denier()).toBe('disallow-latest-tag');

    await push(ref, tampered(b));
    await r.poller.poll();
    await push(ref, await archiveOf(join(dir, 'a'), 'rev-unsigned'));
    await r.poller.poll();
    expect(r.failed.map((f) => [f.stage, f.reason])).toEqual([
      ['verification', 'tampered'],
      ['verification', 'unsigned'],
    ]);
    expect(r.failed[0]!.error.message).toContain(ref);
    expect(await r.denier()).toBe('disallow-latest-tag');
  } finally {
    await r.close();
  }
});

it('names a wrong password and an unknown tag; nothing serves without a verified bundle', async () => {
  const ref = registry.ref('policies/palisade:auth');
  await push(ref, a);
  const wrong = await run(ref, {
    credentialsFile: registry.writeCredentials(registry.username, 'nope', 'wrong.json'),
  });
  const missing = await run(registry.ref('policies/palisade:none'));
  try {
    await wrong.poller.start();
    await missing.poller.start();
    expect(wrong.failed.map((f) => [f.stage, f.reason])).toEqual([['download', 'unauthorized']]);
    expect(missing.failed.map((f) => [f.stage, f.reason])).toEqual([['download', 'not_found']]);
    expect(wrong.runtime.unavailable).toBe('waiting for the first bundle');
    expect(wrong.poller.active).toBeUndefined();
  } finally {
    await wrong.close();
    await missing.close();
  }
});

it('a restart with the registry down serves the cached bundle', async () => {
  const ref = registry.ref('policies/palisade:cached');
  const cacheDir = join(dir, 'cache');
  const pushed = await push(ref, b);
  const first = await run(ref, { cacheDir });
  await first.poller.start();
  await first.close();
  expect(first.activated.map((x) => x.digest)).toEqual([pushed.digest]);

  await registry.stop();
  try {
    const second = await run(ref, { cacheDir });
    try {
      await second.poller.start();
      await second.poller.firstPoll;
      expect(second.activated.map((x) => [x.revision, x.digest, x.from])).toEqual([
        ['rev-b', pushed.digest, 'cache'],
      ]);
      expect(second.failed.map((f) => [f.stage, f.reason])).toEqual([['download', 'network']]);
      expect(await second.denier()).toBe('disallow-latest-tag');
    } finally {
      await second.close();
    }
  } finally {
    await registry.start();
  }
  // Back up: the same digest is not downloaded again (the cache's digest is the one to match).
  const third = await run(ref, { cacheDir });
  try {
    await third.poller.start();
    await third.poller.firstPoll;
    expect(third.activated.map((x) => x.from)).toEqual(['cache']);
    expect(third.unchanged()).toBe(1);
  } finally {
    await third.close();
  }
});
