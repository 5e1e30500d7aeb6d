// The image manifest of a bundle artifact: building the one pushBundle uploads (deterministic
// JSON, so the same bundle bytes give the same manifest digest) and reading one a registry
// serves, down to the layer OPA would load: the first of media type tar+gzip.
import {
  DOCKER_MANIFEST_MEDIA_TYPE,
  INDEX_MEDIA_TYPE,
  LAYER_MEDIA_TYPE,
  MANIFEST_MEDIA_TYPE,
  TITLE_ANNOTATION,
} from './media-types';
import { OciError } from './oci-error';

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface ImageManifest {
  readonly schemaVersion: 2;
  readonly mediaType: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly annotations?: Readonly<Record<string, string>>;
}

export function bundleManifest(
  config: Descriptor,
  layer: { digest: string; size: number; title: string },
  annotations: Readonly<Record<string, string>> | undefined,
): ImageManifest {
  return {
    schemaVersion: 2,
    mediaType: MANIFEST_MEDIA_TYPE,
    config,
    layers: [
      {
        mediaType: LAYER_MEDIA_TYPE,
        digest: layer.digest,
        size: layer.size,
        annotations: { [TITLE_ANNOTATION]: layer.title },
      },
    ],
    ...(annotations && Object.keys(annotations).length > 0
      ? { annotations: sorted(annotations) }
      : {}),
  };
}

/** The config blob of a bundle artifact: `{}`, as OPA's docs push it. */
export const EMPTY_CONFIG = Buffer.from('{}');

/**
 * The manifest in `bytes` and its bundle layer. `contentType` is the response's Content-Type,
 * used when the manifest itself has no mediaType field. Refuses an index, a manifest of another
 * type and one without a tar+gzip layer, naming `where`.
 */
export function bundleLayer(
  bytes: Buffer,
  contentType: string | undefined,
  where: string,
): { manifest: ImageManifest; layer: Descriptor } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (thrown) {
    throw new OciError('protocol', where, `manifest is not JSON: ${(thrown as Error).message}`);
  }
  const m = parsed as Partial<ImageManifest> & { manifests?: unknown };
  const mediaType = m.mediaType ?? contentType?.split(';')[0]?.trim();
  if (mediaType === INDEX_MEDIA_TYPE || Array.isArray(m.manifests)) {
    throw new OciError(
      'not_a_bundle',
      where,
      'is an image index, not the manifest of a bundle; name the bundle manifest by its tag or digest',
    );
  }
  if (mediaType !== MANIFEST_MEDIA_TYPE && mediaType !== DOCKER_MANIFEST_MEDIA_TYPE) {
    throw new OciError(
      'not_a_bundle',
      where,
      `manifest media type ${String(mediaType)} is not ${MANIFEST_MEDIA_TYPE}`,
    );
  }
  if (m.schemaVersion !== 2 || !Array.isArray(m.layers)) {
    throw new OciError('protocol', where, 'manifest has no schemaVersion 2 and layers');
  }
  const layer = m.layers.find((l) => l?.mediaType === LAYER_MEDIA_TYPE);
  if (layer === undefined) {
    const types = m.layers.map((l) => String(l?.mediaType)).join(', ') || 'none';
    throw new OciError(
      'not_a_bundle',
      where,
      `no layer of type ${LAYER_MEDIA_TYPE} (layers: ${types})`,
    );
  }
  if (typeof layer.digest !== 'string' || typeof layer.size !== 'number' || layer.size < 0) {
    throw new OciError('protocol', where, 'the bundle layer has no digest and size');
  }
  return { manifest: m as ImageManifest, layer };
}

function sorted(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}
