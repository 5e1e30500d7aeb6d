// The bundle keys of the config: the string form (a directory, as before) and the object form
// (a source with polling, credentials, CA, cache and verification keys), the overrides of
// --bundle / PALISADE_BUNDLE, and what validation refuses naming the key.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig, configSource, loadConfig } from '../../../src/config/load';
import { PalisadeError } from '../../../src/errors';
import { sourceKind } from '../../../src/bundles/source';
import { openSource } from '../../../src/bundles/open-source';

const KEY = { keyId: 'ci', file: '/keys/ci.pem', algorithm: 'ES256' };

function problems(raw: object): string {
  try {
    validateConfig('t', raw);
  } catch (err) {
    if (err instanceof PalisadeError && err.code === 'PAL_ERR_CONFIG_INVALID') return err.message;
    throw err;
  }
  throw new Error('accepted');
}

it('a string is a directory source with every other key defaulted', () => {
  expect(validateConfig('t', { bundle: '/app/bundle' }).bundle).toEqual({
    source: '/app/bundle',
    pollSeconds: 60,
    timeoutSeconds: 30,
    verification: { required: true, publicKeys: [] },
  });
  expect(validateConfig('t', {}).bundle.source).toBe('dist/bundle');
});

it('the object form takes an oci:// or https:// source with its keys', () => {
  const b = validateConfig('t', {
    bundle: {
      source: 'oci://registry.example:5000/policies/palisade:v1',
      pollSeconds: 10,
      credentialsFile: '/auth/config.json',
      caFile: '/auth/ca.crt',
      cacheDir: '/cache',
      verification: { publicKeys: [KEY, { keyId: 'old', file: '/keys/old.pem' }] },
    },
  }).bundle;
  expect(b.pollSeconds).toBe(10);
  expect(b.verification.publicKeys.map((k) => k.algorithm)).toEqual(['ES256', 'RS256']);
  expect(b.verification.required).toBe(true);
  expect(sourceKind(b.source)).toBe('oci');
  expect(openSource(b)).toMatchObject({ kind: 'oci', name: b.source });
  expect(openSource({ ...b, source: 'https://example.com/b.tar.gz' })).toMatchObject({
    kind: 'https',
  });
  expect(openSource({ ...b, source: '/dir' })).toBeUndefined();
});

it('a remote source needs publicKeys unless verification.required is false', () => {
  expect(problems({ bundle: { source: 'https://example.com/b.tar.gz' } })).toContain(
    '/bundle/verification: a remote source needs publicKeys',
  );
  const open = { source: 'https://example.com/b.tar.gz', verification: { required: false } };
  expect(validateConfig('t', { bundle: open }).bundle.verification.publicKeys).toEqual([]);
});

it('refuses another scheme, a key id listed twice, an unknown algorithm or key, and pollSeconds 0', () => {
  expect(problems({ bundle: 'http://example.com/b.tar.gz' })).toContain(
    '/bundle/source: http://example.com/b.tar.gz: use a directory, oci://HOST/REPO:TAG or https://URL',
  );
  const twice = { source: 'oci://r/p:v', verification: { publicKeys: [KEY, KEY] } };
  expect(problems({ bundle: twice })).toContain('key id "ci" is listed twice');
  const none = { ...KEY, algorithm: 'none' };
  expect(problems({ bundle: { source: 'd', verification: { publicKeys: [none] } } })).toContain(
    '/bundle/verification/publicKeys/0/algorithm',
  );
  expect(problems({ bundle: { source: 'd', pollSeconds: 0 } })).toContain('/bundle/pollSeconds');
  expect(problems({ bundle: { source: 'd', token: 'x' } })).toContain('/bundle');
});

it('--bundle / PALISADE_BUNDLE set the source and keep the file`s other bundle keys', async () => {
  const source = configSource({ bundle: 'oci://r/p:v2' }, {});
  expect(source.overrides?.bundle).toBe('oci://r/p:v2');
  const fromEnv = configSource({}, { PALISADE_BUNDLE: '/other' });
  expect((await loadConfig(fromEnv)).bundle.source).toBe('/other');
  // The override applies to the object form without losing its keys.
  const raw = {
    bundle: { source: 'oci://r/p:v1', pollSeconds: 5, verification: { publicKeys: [KEY] } },
  };
  const file = join(mkdtempSync(join(tmpdir(), 'palisade-cfg-')), 'c.yaml');
  writeFileSync(file, JSON.stringify(raw));
  const c = await loadConfig({ file, overrides: { bundle: 'oci://r/p:v2' } });
  expect(c.bundle).toMatchObject({ source: 'oci://r/p:v2', pollSeconds: 5 });
});
