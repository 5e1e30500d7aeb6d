// A compiled policy bundle on disk, as `palisade build` (src/policy/build) writes it:
//   <dir>/policy.wasm, <dir>/data.json, <dir>/palisade.json (bundle-bytes.ts reads their bytes).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeThrown, PalisadeError } from '../errors';
import { bundleFromBytes, type Bundle } from './bundle-bytes';

export { bundleFromBytes, ENTRYPOINT, type Bundle, type BundleTemplate } from './bundle-bytes';

export async function loadBundle(dir: string): Promise<Bundle> {
  const [wasm, data, manifest] = await Promise.all([
    read(dir, 'policy.wasm'),
    read(dir, 'data.json', true),
    read(dir, 'palisade.json'),
  ]);
  return bundleFromBytes(dir, { wasm: wasm!, data, manifest: manifest! });
}

async function read(dir: string, name: string, optional = false): Promise<Buffer | undefined> {
  try {
    return await readFile(join(dir, name));
  } catch (thrown) {
    if (optional && (thrown as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PalisadeError('PAL_ERR_BUNDLE_LOAD', [dir, describeThrown(thrown)], {
      cause: thrown,
    });
  }
}
