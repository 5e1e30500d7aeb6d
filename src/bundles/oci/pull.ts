// pullBundle: the bundle an oci:// reference names, by the distribution spec: the manifest
// (GET /v2/<name>/manifests/<tag|digest>), its tar+gzip layer (GET /v2/<name>/blobs/<digest>),
// both checked against their SHA-256 digests. Given the digest of the manifest pulled last, a
// HEAD on the manifest first: the same digest means nothing is downloaded ({unchanged: true}).
import { bundleLayer, type ImageManifest } from './manifest';
import { DOCKER_MANIFEST_MEDIA_TYPE, INDEX_MEDIA_TYPE, MANIFEST_MEDIA_TYPE } from './media-types';
import { OciError } from './oci-error';
import {
  formatOciReference,
  manifestReference,
  type OciReference,
  toOciReference,
} from './reference';
import { RegistryClient, type RegistryOptions, sha256Digest } from './registry-client';

export interface PullOptions extends RegistryOptions {
  /** The manifest digest of the bundle pulled last: when the registry's is the same, no download. */
  readonly lastDigest?: string;
  /** The largest bundle layer accepted, in bytes; default 64 MiB. */
  readonly maxBytes?: number;
}

export type PullResult =
  | {
      readonly unchanged: true;
      /** The manifest digest, the same as lastDigest. */
      readonly digest: string;
      readonly reference: string;
    }
  | {
      readonly unchanged: false;
      /** The manifest digest (`sha256:...`): pass it as lastDigest next time. */
      readonly digest: string;
      /** The bundle layer's digest (OPA's etag for an OCI bundle). */
      readonly layerDigest: string;
      /** The bundle: the layer's bytes, a gzipped tar. */
      readonly bytes: Buffer;
      readonly manifest: ImageManifest;
      readonly reference: string;
    };

const ACCEPT = [MANIFEST_MEDIA_TYPE, DOCKER_MANIFEST_MEDIA_TYPE, INDEX_MEDIA_TYPE].join(', ');
const MANIFEST_LIMIT = 4 * 1024 * 1024;
export const DEFAULT_MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

export async function pullBundle(
  ref: string | OciReference,
  options: PullOptions = {},
): Promise<PullResult> {
  const parsed = toOciReference(ref);
  const reference = formatOciReference(parsed);
  if (options.lastDigest !== undefined && options.lastDigest === parsed.digest) {
    return { unchanged: true, digest: parsed.digest, reference };
  }
  const client = new RegistryClient(parsed, 'pull', options);
  try {
    const manifestUrl = client.url(`/manifests/${manifestReference(parsed)}`);
    if (options.lastDigest !== undefined) {
      const head = await client.send(
        { method: 'HEAD', url: manifestUrl, headers: { Accept: ACCEPT } },
        [200],
      );
      const current = header(head.headers['docker-content-digest']);
      if (current === options.lastDigest) return { unchanged: true, digest: current, reference };
    }
    const res = await client.send(
      { method: 'GET', url: manifestUrl, headers: { Accept: ACCEPT }, limit: MANIFEST_LIMIT },
      [200],
    );
    const digest = sha256Digest(res.body);
    const served = header(res.headers['docker-content-digest']);
    const expected = parsed.digest ?? (served?.startsWith('sha256:') ? served : undefined);
    if (expected !== undefined && expected !== digest) {
      throw new OciError(
        'digest_mismatch',
        `${reference} manifest`,
        `content has digest ${digest}, not ${expected}`,
      );
    }
    // A registry that gives no digest on HEAD: the manifest was fetched, the layer need not be.
    if (options.lastDigest === digest) return { unchanged: true, digest, reference };
    const { manifest, layer } = bundleLayer(
      res.body,
      header(res.headers['content-type']),
      `${reference} (${digest})`,
    );
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BUNDLE_BYTES;
    if (layer.size > maxBytes) {
      throw new OciError(
        'too_large',
        `${reference} layer ${layer.digest}`,
        `${layer.size} bytes is over the limit of ${maxBytes}`,
      );
    }
    const blob = await client.send(
      { method: 'GET', url: client.url(`/blobs/${layer.digest}`), limit: maxBytes },
      [200],
    );
    const layerDigest = sha256Digest(blob.body);
    if (layerDigest !== layer.digest) {
      throw new OciError(
        'digest_mismatch',
        `${reference} layer`,
        `content has digest ${layerDigest}, not ${layer.digest}`,
      );
    }
    if (blob.body.length !== layer.size) {
      throw new OciError(
        'protocol',
        `${reference} layer ${layer.digest}`,
        `${blob.body.length} bytes, the manifest says ${layer.size}`,
      );
    }
    return { unchanged: false, digest, layerDigest, bytes: blob.body, manifest, reference };
  } finally {
    client.close();
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
