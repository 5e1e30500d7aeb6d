// The disk cache of the last good archive: what it keeps, and why it has nothing to give.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleCache, type CachedMeta } from '../../../src/bundles/cache';

const meta: CachedMeta = {
  source: 'oci://r/p:v1',
  digest: 'sha256:ab',
  validator: 'sha256:ab',
  revision: 'rev-1',
  savedAt: '2026-01-01T00:00:00.000Z',
};

it('keeps the archive and its metadata, by rename (no temporary file left)', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'palisade-cache-')), 'made');
  const cache = new BundleCache(dir);
  await cache.write(Buffer.from('archive'), meta);
  expect(await cache.read(meta.source)).toEqual({ meta, bytes: Buffer.from('archive') });
  expect(readdirSync(dir).sort()).toEqual(['bundle.json', 'bundle.tar.gz']);
});

it('says why there is nothing: an empty directory, another source, a broken metadata file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-cache-'));
  const cache = new BundleCache(dir);
  expect(await cache.read(meta.source)).toEqual({ missing: `nothing cached in ${dir}` });
  await cache.write(Buffer.from('archive'), meta);
  expect(await cache.read('https://other/b.tar.gz')).toEqual({
    missing: `${dir} holds a bundle of another source (oci://r/p:v1)`,
  });
  writeFileSync(join(dir, 'bundle.json'), '{');
  expect(await cache.read(meta.source)).toMatchObject({ missing: expect.stringContaining('JSON') });
});
