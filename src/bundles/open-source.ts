// The remote source bundle.source names, with its credentials, CA and timeout; undefined for a
// directory (palisade build's output, loaded and watched by the runtime as before).
import type { BundleConfig } from '../config/schema';
import { httpsSource } from './https';
import { ociSource } from './oci-source';
import { sourceKind, type BundleSource } from './source';

export function openSource(b: BundleConfig): BundleSource | undefined {
  const opts = {
    credentialsFile: b.credentialsFile,
    caFile: b.caFile,
    timeoutMs: b.timeoutSeconds * 1000,
  };
  switch (sourceKind(b.source)) {
    case 'https':
      return httpsSource(b.source, opts);
    case 'oci':
      return ociSource(b.source, opts);
    default:
      return undefined;
  }
}
