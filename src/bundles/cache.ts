// The last good bundle archive on disk (bundle.cacheDir; an emptyDir in the chart), so a
// restarted pod serves while its source is down. The archive is kept as downloaded and verified
// again when read: the cache is a copy, never trusted more than the source. Written by rename, so
// a crash mid-write leaves the previous copy.
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describeThrown } from '../errors';

const ARCHIVE = 'bundle.tar.gz';
const META = 'bundle.json';

export interface CachedMeta {
  /** The source it came from: a cache of another source is not used. */
  source: string;
  digest: string;
  validator?: string;
  revision: string;
  savedAt: string;
}

export interface Cached {
  meta: CachedMeta;
  bytes: Buffer;
}

export class BundleCache {
  constructor(readonly dir: string) {}

  /** The cached archive of `source`, or why there is none (no file, another source, unreadable). */
  async read(source: string): Promise<Cached | { missing: string }> {
    let meta: CachedMeta;
    try {
      meta = JSON.parse(await readFile(join(this.dir, META), 'utf8')) as CachedMeta;
    } catch (thrown) {
      const none = (thrown as NodeJS.ErrnoException).code === 'ENOENT';
      return { missing: none ? `nothing cached in ${this.dir}` : describeThrown(thrown) };
    }
    if (meta.source !== source) {
      return { missing: `${this.dir} holds a bundle of another source (${meta.source})` };
    }
    try {
      return { meta, bytes: await readFile(join(this.dir, ARCHIVE)) };
    } catch (thrown) {
      return { missing: describeThrown(thrown) };
    }
  }

  /** Keeps `bytes` as the last good archive (archive first, then the metadata naming it). */
  async write(bytes: Buffer, meta: CachedMeta): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await replace(join(this.dir, ARCHIVE), bytes);
    await replace(join(this.dir, META), `${JSON.stringify(meta, null, 2)}\n`);
  }
}

async function replace(file: string, content: Buffer | string): Promise<void> {
  await writeFile(`${file}.tmp`, content, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}
