// The bundle artifact's API, for the CLI and src/bundles: write a bundle archive from a built
// bundle directory (signed in OPA's format if asked), read one back verified, load it.
export { bundleArchive, readBundleArchive, writeBundleArchive, ENTRYPOINT } from './archive';
export type {
  BuiltArchive,
  BundleArchive,
  ReadArchiveOptions,
  WriteArchiveOptions,
} from './archive';
export { ArtifactError, type ArtifactReason } from './artifact-error';
export {
  isSigningAlgorithm,
  SIGNING_ALGORITHMS,
  type KeyInput,
  type SigningAlgorithm,
} from './jws';
export { loadBundleFromArchive, palisadeFiles, writeBundleDir } from './load';
export type { OpaManifest } from './manifest';
export { buildProvenance, type Provenance } from './provenance';
export { verificationKeyProblem } from './signatures';
export type { SigningOptions, VerificationKey, VerifiedSignature } from './signatures';
