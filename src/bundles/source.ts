// A remote place a bundle archive (bundle.tar.gz, an OPA bundle) comes from: an https:// URL or
// an oci:// reference. One fetch is conditional on what the last one returned (an ETag, a
// manifest digest), so an unchanged bundle costs one small request and downloads nothing.
import type { BundleConfig } from '../config/schema';

export type SourceKind = 'directory' | 'https' | 'oci';

export type FetchResult =
  | { readonly unchanged: true }
  | {
      readonly unchanged?: false;
      /** The archive's bytes. */
      readonly bytes: Buffer;
      /** What identifies these bytes (sha256:... of the archive, or the OCI manifest digest). */
      readonly digest: string;
      /** What the next fetch sends to ask for a change only (ETag, manifest digest). */
      readonly validator?: string;
    };

export interface BundleSource {
  readonly kind: Exclude<SourceKind, 'directory'>;
  /** The source as the config names it (no credentials: those live in files). */
  readonly name: string;
  /** Downloads the archive unless it is the one `validator` names. Throws a coded error. */
  fetch(validator?: string): Promise<FetchResult>;
}

/** What bundle.source names: a directory (palisade build's output), an https URL, an oci ref. */
export function sourceKind(source: BundleConfig['source']): SourceKind {
  if (source.startsWith('https://')) return 'https';
  if (source.startsWith('oci://')) return 'oci';
  return 'directory';
}
