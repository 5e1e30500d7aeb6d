// From a verified bundle archive (archive.ts readBundleArchive) to what the webhook runs: a
// loaded Bundle (src/policy/bundle.ts), or a bundle directory on disk that loadBundle reads (a
// cache, `palisade pull --extract`). The wasm is the module the manifest names for Palisade's
// entrypoint; the policies' metadata is the manifest's metadata.palisade (palisade.json).
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleFromBytes, type Bundle } from '../bundle';
import { PalisadeError } from '../../errors';
import { stagingDir, swapInto } from '../build/swap';
import { ENTRYPOINT, type BundleArchive } from './archive';

export interface BundleFiles {
  wasm: Buffer;
  data?: Buffer;
  /** palisade.json's bytes. */
  palisade: Buffer;
}

/** policy.wasm, data.json and palisade.json of a Palisade bundle archive. */
export function palisadeFiles(archive: BundleArchive): BundleFiles {
  const invalid = (problem: string): never => {
    throw new PalisadeError('PAL_ERR_BUNDLE_INVALID', [archive.source, problem]);
  };
  const resolver = archive.manifest.wasm?.find((w) => w.entrypoint === ENTRYPOINT);
  const module = resolver ? resolver.module.replace(/^\/+/, '') : 'policy.wasm';
  const wasm = archive.files.get(module);
  if (!wasm) return invalid(`no ${module} (the wasm of entrypoint ${ENTRYPOINT})`);
  const palisade = archive.manifest.metadata?.palisade;
  if (!palisade || typeof palisade !== 'object') {
    return invalid('its .manifest has no metadata.palisade: build it with palisade build --output');
  }
  return {
    wasm,
    data: archive.files.get('data.json'),
    palisade: Buffer.from(`${JSON.stringify(palisade, null, 2)}\n`),
  };
}

/** The archive as a loaded Bundle; Bundle.path is the archive's source. */
export function loadBundleFromArchive(archive: BundleArchive): Promise<Bundle> {
  const f = palisadeFiles(archive);
  return bundleFromBytes(archive.source, { wasm: f.wasm, data: f.data, manifest: f.palisade });
}

/** Writes the archive as a bundle directory (policy.wasm, data.json, palisade.json), atomically. */
export function writeBundleDir(archive: BundleArchive, dir: string): void {
  const f = palisadeFiles(archive);
  const stage = stagingDir(dir);
  writeFileSync(join(stage, 'policy.wasm'), f.wasm, { mode: 0o644 });
  writeFileSync(join(stage, 'data.json'), f.data ?? Buffer.from('{}\n'), { mode: 0o644 });
  writeFileSync(join(stage, 'palisade.json'), f.palisade, { mode: 0o644 });
  chmodSync(stage, 0o755);
  swapInto(stage, dir);
}
