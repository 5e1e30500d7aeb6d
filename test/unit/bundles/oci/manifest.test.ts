// The bundle manifest: what pushBundle writes (deterministic, OPA's media types, the title
// annotation) and what pullBundle accepts: the first tar+gzip layer of an image manifest;
// an index, another media type or no bundle layer refused as not_a_bundle, naming it.
import {
  CONFIG_MEDIA_TYPE,
  INDEX_MEDIA_TYPE,
  LAYER_MEDIA_TYPE,
  MANIFEST_MEDIA_TYPE,
  OciError,
} from '../../../../src/bundles/oci';
import { bundleLayer, bundleManifest } from '../../../../src/bundles/oci/manifest';

const D = (c: string) => `sha256:${c.repeat(64)}`;
const config = { mediaType: CONFIG_MEDIA_TYPE, digest: D('c'), size: 2 };

function refusal(f: () => unknown): OciError {
  try {
    f();
  } catch (err) {
    if (err instanceof OciError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('bundleManifest', () => {
  it('is an OCI image manifest with the bundle as its one titled tar+gzip layer', () => {
    const m = bundleManifest(
      config,
      { digest: D('a'), size: 10, title: 'bundle.tar.gz' },
      { z: '1', a: '2' },
    );
    expect(m).toEqual({
      schemaVersion: 2,
      mediaType: MANIFEST_MEDIA_TYPE,
      config,
      layers: [
        {
          mediaType: LAYER_MEDIA_TYPE,
          digest: D('a'),
          size: 10,
          annotations: { 'org.opencontainers.image.title': 'bundle.tar.gz' },
        },
      ],
      annotations: { a: '2', z: '1' },
    });
    // Annotations sorted: the same inputs give the same bytes, so the same digest.
    expect(Object.keys(m.annotations!)).toEqual(['a', 'z']);
    expect(bundleManifest(config, { digest: D('a'), size: 10, title: 't' }, {})).not.toHaveProperty(
      'annotations',
    );
  });
});

describe('bundleLayer', () => {
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));

  it('takes the first tar+gzip layer, as OPA does', () => {
    const manifest = {
      schemaVersion: 2,
      mediaType: MANIFEST_MEDIA_TYPE,
      config,
      layers: [
        { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: D('1'), size: 1 },
        { mediaType: LAYER_MEDIA_TYPE, digest: D('2'), size: 2 },
        { mediaType: LAYER_MEDIA_TYPE, digest: D('3'), size: 3 },
      ],
    };
    expect(bundleLayer(json(manifest), undefined, 'here').layer.digest).toBe(D('2'));
  });

  it('takes the media type from Content-Type when the manifest has none', () => {
    const m = {
      schemaVersion: 2,
      config,
      layers: [{ mediaType: LAYER_MEDIA_TYPE, digest: D('2'), size: 2 }],
    };
    expect(bundleLayer(json(m), `${MANIFEST_MEDIA_TYPE}; charset=utf-8`, 'here').layer.size).toBe(
      2,
    );
  });

  it.each([
    [
      { schemaVersion: 2, mediaType: INDEX_MEDIA_TYPE, manifests: [] },
      'not_a_bundle',
      'image index',
    ],
    [
      { schemaVersion: 2, mediaType: 'application/vnd.example+json', layers: [] },
      'not_a_bundle',
      'application/vnd.example+json',
    ],
    [
      {
        schemaVersion: 2,
        mediaType: MANIFEST_MEDIA_TYPE,
        config,
        layers: [{ mediaType: 'text/plain', digest: D('1'), size: 1 }],
      },
      'not_a_bundle',
      'layers: text/plain',
    ],
    [{ schemaVersion: 1, mediaType: MANIFEST_MEDIA_TYPE }, 'protocol', 'schemaVersion 2'],
    [
      {
        schemaVersion: 2,
        mediaType: MANIFEST_MEDIA_TYPE,
        config,
        layers: [{ mediaType: LAYER_MEDIA_TYPE }],
      },
      'protocol',
      'no digest and size',
    ],
  ])('refuses %j as %s', (manifest, reason, problem) => {
    const err = refusal(() => bundleLayer(json(manifest), undefined, 'oci://r.io/p:v1'));
    expect(err.reason).toBe(reason);
    expect(err.message).toContain('oci://r.io/p:v1');
    expect(err.message).toContain(problem);
  });

  it('refuses bytes that are not JSON', () => {
    expect(refusal(() => bundleLayer(Buffer.from('<html>'), undefined, 'x')).reason).toBe(
      'protocol',
    );
  });
});
