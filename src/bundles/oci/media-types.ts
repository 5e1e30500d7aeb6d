// The OCI media types of a policy bundle in a registry: the ones OPA's OCI downloader reads
// (v1/download/oci_download.go takes the first layer of type tar+gzip from an image manifest)
// and OPA's docs push with `oras push --config config.json:<config> bundle.tar.gz:<layer>`, so
// `opa run` with `services: {type: oci}`, `oras` and Palisade read the same artifact.

export const MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const CONFIG_MEDIA_TYPE = 'application/vnd.oci.image.config.v1+json';
export const LAYER_MEDIA_TYPE = 'application/vnd.oci.image.layer.v1.tar+gzip';
/** An index points at manifests, not at a bundle: refused by name when a registry serves one. */
export const INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';
/** Docker's schema 2 manifest has the OCI manifest's shape; accepted on pull. */
export const DOCKER_MANIFEST_MEDIA_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';

/** The annotation naming a layer's file (oras writes it; `oras pull` saves the layer under it). */
export const TITLE_ANNOTATION = 'org.opencontainers.image.title';
/** The file name a pushed bundle's layer gets unless the caller names it. */
export const DEFAULT_TITLE = 'bundle.tar.gz';
