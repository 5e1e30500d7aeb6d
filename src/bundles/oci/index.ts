// The OCI part of src/bundles: push and pull a policy bundle to and from an OCI registry
// (pull.ts, push.ts), the oci:// reference, the credentials file and the error with its reason.
export { pullBundle, DEFAULT_MAX_BUNDLE_BYTES, type PullOptions, type PullResult } from './pull';
export { pushBundle, type PushOptions, type PushResult } from './push';
export { parseOciReference, formatOciReference, type OciReference } from './reference';
export { credentialsFromFile, type RegistryCredentials } from './credentials';
export { type RegistryOptions } from './registry-client';
export { OciError, isOciError, type OciFailure } from './oci-error';
export * from './media-types';
