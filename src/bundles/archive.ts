// From a downloaded archive to a Bundle the runtime can swap in: read and verify it with the
// configured keys (src/policy/artifact readBundleArchive: every file's hash, the signature, the
// key id), then load its wasm, data and Palisade metadata. Nothing of an archive is used before
// it is verified.
import { readFile } from 'node:fs/promises';
import type { BundleConfig } from '../config/schema';
import { describeThrown, PalisadeError } from '../errors';
import {
  isSigningAlgorithm,
  loadBundleFromArchive,
  readBundleArchive,
  type VerificationKey,
} from '../policy/artifact';
import type { Bundle } from '../policy/bundle';

export interface ArchiveBundle {
  readonly bundle: Bundle;
  /** The manifest's revision. */
  readonly revision: string;
  /** The key that signed it, when verified. */
  readonly keyId?: string;
}

export interface Verification {
  readonly publicKeys: readonly VerificationKey[];
  readonly required: boolean;
}

/** Reads the configured public keys (at start: a key file that cannot be read stops Palisade). */
export async function readVerification(b: BundleConfig): Promise<Verification> {
  const publicKeys = await Promise.all(
    b.verification.publicKeys.map(async (k): Promise<VerificationKey> => {
      const where = `bundle.verification.publicKeys (key id ${k.keyId})`;
      let key: string;
      try {
        key = await readFile(k.file, 'utf8');
      } catch (thrown) {
        throw new PalisadeError('PAL_ERR_CONFIG_INVALID', [where, `  ${describeThrown(thrown)}`]);
      }
      if (!isSigningAlgorithm(k.algorithm)) {
        throw new PalisadeError('PAL_ERR_CONFIG_INVALID', [where, `  algorithm ${k.algorithm}`]);
      }
      return { keyId: k.keyId, key, algorithm: k.algorithm };
    }),
  );
  return { publicKeys, required: b.verification.required };
}

/**
 * Verifies `bytes` (a bundle.tar.gz) and loads it; `source` names it in errors and is the
 * bundle's path. Throws a coded error with a `reason` (ArtifactError) naming the problem.
 */
export async function bundleFromArchive(
  bytes: Buffer,
  source: string,
  verification: Verification,
): Promise<ArchiveBundle> {
  const archive = await readBundleArchive(bytes, {
    source,
    publicKeys: verification.publicKeys,
    required: verification.required,
  });
  const bundle = await loadBundleFromArchive(archive);
  return { bundle, revision: archive.revision, keyId: archive.signature?.keyId };
}
