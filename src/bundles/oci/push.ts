// pushBundle: uploads a bundle (a gzipped tar) as an OCI artifact OPA and oras read: the `{}`
// config blob, the bundle as one tar+gzip layer titled bundle.tar.gz, then the image manifest
// under the tag. Blobs the repository already has (HEAD 200) are not sent again; a new blob is
// a monolithic upload (POST /v2/<name>/blobs/uploads/, then PUT <location>?digest=...).
import { bundleManifest, EMPTY_CONFIG } from './manifest';
import { CONFIG_MEDIA_TYPE, DEFAULT_TITLE, MANIFEST_MEDIA_TYPE } from './media-types';
import { OciError } from './oci-error';
import { formatOciReference, type OciReference, toOciReference } from './reference';
import { RegistryClient, type RegistryOptions, sha256Digest } from './registry-client';

export interface PushOptions extends RegistryOptions {
  /** The layer's org.opencontainers.image.title (the file `oras pull` writes); default bundle.tar.gz. */
  readonly title?: string;
  /** Annotations of the manifest, e.g. org.opencontainers.image.revision. */
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface PushResult {
  /** The manifest digest (`sha256:...`): `oci://registry/repo@<digest>` names this push. */
  readonly digest: string;
  readonly layerDigest: string;
  readonly size: number;
  readonly reference: string;
}

export async function pushBundle(
  ref: string | OciReference,
  bytes: Buffer,
  options: PushOptions = {},
): Promise<PushResult> {
  const parsed = toOciReference(ref);
  const reference = formatOciReference(parsed);
  if (parsed.tag === undefined || parsed.digest !== undefined) {
    throw new OciError(
      'reference',
      reference,
      'a push needs a tag and no digest (oci://HOST/REPOSITORY:TAG)',
    );
  }
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    throw new OciError(
      'not_a_bundle',
      reference,
      'the bundle to push is not gzip data (a bundle is a .tar.gz)',
    );
  }
  const client = new RegistryClient(parsed, 'pull,push', options);
  try {
    const configDigest = sha256Digest(EMPTY_CONFIG);
    const layerDigest = sha256Digest(bytes);
    await uploadBlob(client, configDigest, EMPTY_CONFIG);
    await uploadBlob(client, layerDigest, bytes);
    const manifest = bundleManifest(
      { mediaType: CONFIG_MEDIA_TYPE, digest: configDigest, size: EMPTY_CONFIG.length },
      { digest: layerDigest, size: bytes.length, title: options.title ?? DEFAULT_TITLE },
      options.annotations,
    );
    const body = Buffer.from(JSON.stringify(manifest));
    const digest = sha256Digest(body);
    const res = await client.send(
      {
        method: 'PUT',
        url: client.url(`/manifests/${parsed.tag}`),
        headers: { 'Content-Type': MANIFEST_MEDIA_TYPE },
        body,
      },
      [201],
    );
    const stored = res.headers['docker-content-digest'];
    if (typeof stored === 'string' && stored !== digest) {
      throw new OciError(
        'digest_mismatch',
        `${reference} manifest`,
        `the registry stored ${stored}, not ${digest}`,
      );
    }
    return { digest, layerDigest, size: bytes.length, reference };
  } finally {
    client.close();
  }
}

async function uploadBlob(client: RegistryClient, digest: string, bytes: Buffer): Promise<void> {
  const head = await client.send(
    { method: 'HEAD', url: client.url(`/blobs/${digest}`) },
    [200, 404],
  );
  if (head.status === 200) return;
  const start = await client.send(
    { method: 'POST', url: client.url('/blobs/uploads/'), body: Buffer.alloc(0) },
    [202],
  );
  const location = start.headers.location;
  if (location === undefined) {
    throw new OciError(
      'protocol',
      `POST ${client.url('/blobs/uploads/')}`,
      '202 without a Location to upload to',
    );
  }
  const url = new URL(location, client.url('/'));
  url.searchParams.set('digest', digest);
  await client.send(
    {
      method: 'PUT',
      url: url.toString(),
      headers: { 'Content-Type': 'application/octet-stream' },
      body: bytes,
    },
    [201],
  );
}
