// The https:// bundle source end to end in-process: a real HTTPS server (node:https) serving
// signed archives, the poller, the real runtime (wasm instantiated, swapped) and decisions on the
// snapshot that serves. Each poll is called by the test (no timers, no sleeps).
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { handleAdmission } from '../../src/admission/handler';
import { readVerification } from '../../src/bundles/archive';
import { BundleCache } from '../../src/bundles/cache';
import { openSource } from '../../src/bundles/open-source';
import { BundlePoller, type ActiveBundle, type BundleFailure } from '../../src/bundles/poller';
import { validateConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { PolicyRuntime } from '../../src/policy/policy-runtime';
import {
  archiveOf,
  BundleServer,
  bundleVariant,
  privilegedLatestPod,
  signingKey,
  tampered,
  tempDir,
  type SigningKey,
} from './bundle-source-fixtures';

let dir: string;
let server: BundleServer;
let key: SigningKey;
let other: SigningKey;
let a: Buffer;
let b: Buffer;

beforeAll(async () => {
  dir = tempDir('bundle-https');
  server = await BundleServer.start(dir);
  key = signingKey(dir, 'ci-2026');
  other = signingKey(dir, 'ci-rogue', 'RS256');
  a = await archiveOf(bundleVariant(join(dir, 'a'), 'disallow-privileged'), 'rev-a', key);
  b = await archiveOf(bundleVariant(join(dir, 'b'), 'disallow-latest-tag'), 'rev-b', key);
});
afterAll(() => server.close());

interface Running {
  runtime: PolicyRuntime;
  poller: BundlePoller;
  activated: ActiveBundle[];
  failed: BundleFailure[];
  unchanged: () => number;
  denier: () => Promise<string | undefined>;
  close: () => Promise<void>;
}

function configOf(extra: Record<string, unknown> = {}): Config {
  return validateConfig('test', {
    evaluation: { workers: 0 },
    bundle: {
      source: server.url,
      verification: {
        publicKeys: [{ keyId: key.keyId, file: key.publicFile, algorithm: 'ES256' }],
      },
      ...extra,
    },
  });
}

/** A pending runtime and its poller on `config`, as main.ts starts them (the CA: the server's). */
async function run(config: Config): Promise<Running> {
  const runtime = PolicyRuntime.pending(config, 'waiting for the first bundle');
  const b = config.bundle;
  const poller = new BundlePoller(openSource(b)!, {
    runtime,
    verification: await readVerification(b),
    cache: b.cacheDir ? new BundleCache(b.cacheDir) : undefined,
    pollMs: 3_600_000,
  });
  const activated: ActiveBundle[] = [];
  const failed: BundleFailure[] = [];
  let unchanged = 0;
  poller.on('activated', (x) => activated.push(x));
  poller.on('failed', (f) => {
    failed.push(f);
    if (!poller.active) runtime.stillPending(f.error.message);
  });
  poller.on('unchanged', () => unchanged++);
  return {
    runtime,
    poller,
    activated,
    failed,
    unchanged: () => unchanged,
    // Which policy denies the privileged pod with a latest image, on the snapshot that serves.
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

/** The server's CA, as bundle.caFile. */
function withCa(): Record<string, unknown> {
  const ca = join(dir, 'server-ca.pem');
  writeFileSync(ca, server.cert.caPem);
  return { caFile: ca };
}

it('activates a signed bundle, then downloads nothing while the ETag holds', async () => {
  server.publish(a);
  const r = await run(configOf(withCa()));
  try {
    expect(r.runtime.unavailable).toBe('waiting for the first bundle');
    const before = server.requests.length;
    await r.poller.start();
    expect(r.failed).toEqual([]);
    expect(r.activated.map((x) => [x.revision, x.keyId, x.from])).toEqual([
      ['rev-a', 'ci-2026', 'source'],
    ]);
    expect(r.activated[0]!.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(r.runtime.unavailable).toBeUndefined();
    expect(await r.denier()).toBe('disallow-privileged');

    await r.poller.poll();
    const [first, second] = server.requests.slice(before);
    expect(first).toMatchObject({ status: 200, ifNoneMatch: undefined });
    expect(second).toMatchObject({ status: 304, ifNoneMatch: '"v1"', bytes: 0 });
    expect(r.unchanged()).toBe(1);
    expect(r.activated).toHaveLength(1);
  } finally {
    await r.close();
  }
});

it('swaps in a new revision; a tampered, unsigned or foreign-signed one is refused naming why and the last good one serves', async () => {
  server.publish(a);
  const r = await run(configOf(withCa()));
  try {
    await r.poller.start();
    server.publish(b);
    await r.poller.poll();
    expect(r.activated.map((x) => x.revision)).toEqual(['rev-a', 'rev-b']);
    expect(await r.denier()).toBe('disallow-latest-tag');

    const refused = [
      ['tampered', tampered(b)],
      ['unsigned', await archiveOf(join(dir, 'a'), 'rev-unsigned')],
      ['unknown-key-id', await archiveOf(join(dir, 'a'), 'rev-rogue', other)],
      ['archive-invalid', Buffer.from('not a gzip')],
    ] as const;
    for (const [reason, bytes] of refused) {
      server.publish(bytes);
      await r.poller.poll();
      expect(r.failed.at(-1)).toMatchObject({ stage: 'verification', reason, from: 'source' });
      expect(r.failed.at(-1)!.error.message).toContain(server.url);
      expect(await r.denier()).toBe('disallow-latest-tag');
    }
    expect(r.failed).toHaveLength(refused.length);
    // The refused archive is not tried again on the next round: nothing new to count.
    await r.poller.poll();
    expect(r.failed).toHaveLength(refused.length);
    expect(r.activated.map((x) => x.revision)).toEqual(['rev-a', 'rev-b']);
  } finally {
    await r.close();
  }
});

it('a key listed by its id verifies after rotation: two keys, the bundle signed by the second', async () => {
  const rotated = await archiveOf(join(dir, 'b'), 'rev-rotated', other);
  server.publish(rotated);
  const keys = [
    { keyId: key.keyId, file: key.publicFile, algorithm: 'ES256' },
    { keyId: other.keyId, file: other.publicFile, algorithm: 'RS256' },
  ];
  const r = await run(configOf({ ...withCa(), verification: { publicKeys: keys } }));
  try {
    await r.poller.start();
    expect(r.failed).toEqual([]);
    expect(r.activated.map((x) => [x.revision, x.keyId])).toEqual([['rev-rotated', 'ci-rogue']]);
  } finally {
    await r.close();
  }
});

it('without a verified bundle the runtime stays pending and every request is answered by the failure mode with the reason', async () => {
  server.publish(tampered(a));
  const r = await run(configOf(withCa()));
  try {
    await r.poller.start();
    expect(r.failed.map((f) => [f.stage, f.reason])).toEqual([['verification', 'tampered']]);
    expect(r.runtime.unavailable).toContain('refused: data.json');
    const d = await r.runtime.use((s) => handleAdmission(privilegedLatestPod(), s));
    expect(d.outcome).toBe('error');
    expect(d.error?.code).toBe('PAL_ERR_BUNDLE_UNAVAILABLE');
    expect(d.review.response.allowed).toBe(false);
    expect(d.review.response.status?.message).toContain('no verified policy bundle yet');

    server.publish(a);
    await r.poller.poll();
    expect(r.runtime.unavailable).toBeUndefined();
    expect(await r.denier()).toBe('disallow-privileged');
  } finally {
    await r.close();
  }
});

it('download failures keep the bundle serving and are named: down, 404, 401, an untrusted CA', async () => {
  server.publish(a);
  const r = await run(configOf(withCa()));
  try {
    await r.poller.start();
    server.down = true;
    await r.poller.poll();
    server.down = false;
    server.token = 'right';
    await r.poller.poll();
    server.token = undefined;
    expect(r.failed.map((f) => [f.stage, f.reason])).toEqual([
      ['download', 'protocol'],
      ['download', 'unauthorized'],
    ]);
    expect(r.failed[0]!.error.message).toContain('HTTP 503');
    expect(r.failed[1]!.error.message).toContain('HTTP 401');
    expect(await r.denier()).toBe('disallow-privileged');
  } finally {
    await r.close();
  }
  const wrong = await run(
    configOf({ source: server.url.replace('bundle.tar.gz', 'none.tar.gz'), ...withCa() }),
  );
  const untrusted = await run(configOf({ caFile: undefined }));
  try {
    await wrong.poller.start();
    await untrusted.poller.start();
    expect(wrong.failed.map((f) => f.reason)).toEqual(['not_found']);
    expect(untrusted.failed.map((f) => f.reason)).toEqual(['tls']);
    expect(untrusted.runtime.unavailable).toContain('cannot download policy bundle');
  } finally {
    await wrong.close();
    await untrusted.close();
  }
});

it('a bundle the config does not fit is refused at activation, and tried again after a config reload', async () => {
  server.publish(a);
  const base = configOf(withCa());
  const misfit = validateConfig('test', {
    ...base,
    policies: { 'not-in-bundle': { action: 'deny' } },
  });
  const r = await run(misfit);
  try {
    await r.poller.start();
    expect(r.failed.map((f) => [f.stage, f.reason])).toEqual([
      ['activation', 'PAL_ERR_CONFIG_INVALID'],
    ]);
    expect(r.failed[0]!.error.message).toContain('not-in-bundle');
    await r.poller.poll();
    expect(r.failed).toHaveLength(1); // not tried again while nothing changed

    expect(await r.runtime.reloadConfig(base)).toBe(true);
    r.poller.forgetRefused(); // main.ts does this on every config reload
    await r.poller.poll();
    expect(r.activated.map((x) => x.revision)).toEqual(['rev-a']);
    expect(await r.denier()).toBe('disallow-privileged');
  } finally {
    await r.close();
  }
});

it('follows an https redirect, refuses one to plain http', async () => {
  server.publish(a);
  const moved = await run(
    configOf({ ...withCa(), source: server.url.replace('bundle.tar.gz', 'moved') }),
  );
  const insecure = await run(
    configOf({ ...withCa(), source: server.url.replace('bundle.tar.gz', 'insecure') }),
  );
  try {
    await moved.poller.start();
    await insecure.poller.start();
    expect(moved.activated.map((x) => x.revision)).toEqual(['rev-a']);
    expect(insecure.failed.map((f) => [f.stage, f.reason])).toEqual([['download', 'protocol']]);
    expect(insecure.failed[0]!.error.message).toContain('redirected to http: (https only)');
  } finally {
    await moved.close();
    await insecure.close();
  }
});

it('sends the bearer token of credentialsFile', async () => {
  server.publish(b);
  server.token = 's3cret';
  const token = join(dir, 'token');
  writeFileSync(token, 's3cret\n');
  const r = await run(configOf({ ...withCa(), credentialsFile: token }));
  try {
    await r.poller.start();
    expect(r.failed).toEqual([]);
    expect(server.requests.at(-1)).toMatchObject({ status: 200, authorization: 'Bearer s3cret' });
  } finally {
    server.token = undefined;
    await r.close();
  }
});

it('without an ETag, the same archive downloaded again is not activated again', async () => {
  server.etags = false;
  server.publish(a);
  const r = await run(configOf(withCa()));
  try {
    await r.poller.start();
    await r.poller.poll();
    expect(r.activated).toHaveLength(1);
    expect(r.unchanged()).toBe(1);
  } finally {
    server.etags = true;
    await r.close();
  }
});

it('a restart serves the cached bundle while the source is down; a tampered cache is refused', async () => {
  const cacheDir = join(dir, 'cache');
  server.publish(b);
  const first = await run(configOf({ ...withCa(), cacheDir }));
  await first.poller.start();
  await first.close();
  expect(first.activated.map((x) => x.revision)).toEqual(['rev-b']);

  server.down = true;
  const second = await run(configOf({ ...withCa(), cacheDir }));
  try {
    await second.poller.start();
    await second.poller.firstPoll;
    expect(second.activated.map((x) => [x.revision, x.from])).toEqual([['rev-b', 'cache']]);
    expect(second.failed.map((f) => [f.stage, f.from])).toEqual([['download', 'source']]);
    expect(second.runtime.unavailable).toBeUndefined();
    expect(await second.denier()).toBe('disallow-latest-tag');
  } finally {
    await second.close();
  }

  writeFileSync(join(cacheDir, 'bundle.tar.gz'), tampered(b));
  const third = await run(configOf({ ...withCa(), cacheDir }));
  try {
    await third.poller.start();
    await third.poller.firstPoll;
    expect(third.failed.map((f) => [f.stage, f.reason, f.from])).toEqual([
      ['verification', 'tampered', 'cache'],
      ['download', 'protocol', 'source'],
    ]);
    expect(third.runtime.unavailable).toContain('HTTP 503');
    // The source's own copy of that digest is not refused with the cache's.
    server.down = false;
    await third.poller.poll();
    expect(third.activated.map((x) => [x.revision, x.from])).toEqual([['rev-b', 'source']]);
  } finally {
    server.down = false;
    await third.close();
  }
});
