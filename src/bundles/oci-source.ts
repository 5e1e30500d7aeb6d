// The oci:// bundle source: Part O's pullBundle (src/bundles/oci) with the manifest digest of the
// last pull, so an unchanged tag costs one HEAD and downloads nothing. The manifest digest is the
// bundle's digest (what palisade_bundle_info reports and what `oras` or a registry UI shows).
import { pullBundle } from './oci';
import type { BundleSource, FetchResult } from './source';

export interface OciSourceOptions {
  /** A Docker config.json (auths by registry host). */
  credentialsFile?: string;
  caFile?: string;
  timeoutMs: number;
}

export function ociSource(ref: string, opts: OciSourceOptions): BundleSource {
  return {
    kind: 'oci',
    name: ref,
    async fetch(lastDigest): Promise<FetchResult> {
      const pulled = await pullBundle(ref, { ...opts, lastDigest });
      if (pulled.unchanged) return { unchanged: true };
      return { bytes: pulled.bytes, digest: pulled.digest, validator: pulled.digest };
    },
  };
}
