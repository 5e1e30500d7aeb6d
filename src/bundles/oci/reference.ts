// An `oci://HOST[:PORT]/REPO[:TAG][@sha256:HEX]` reference, parsed by the distribution spec's
// grammar (repository path components, tag, digest) so a typo is refused before any request.
// With neither tag nor digest the tag is `latest`, as docker and oras do. `docker.io` is served
// by registry-1.docker.io and its one-component repositories live under `library/`.
import { OciError } from './oci-error';

export interface OciReference {
  /** `host[:port]` as written (`[::1]:5000` for IPv6), the key of a credentials file. */
  readonly registry: string;
  /** The host the HTTP requests go to (registry-1.docker.io for docker.io). */
  readonly endpoint: string;
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: string | undefined;
}

const SCHEME = 'oci://';
// distribution/reference: path components of lowercase alphanumerics joined by separators.
const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST =
  /^(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*)(?::[0-9]{1,5})?$/;

export function parseOciReference(text: string): OciReference {
  const bad = (problem: string): OciError =>
    new OciError(
      'reference',
      text,
      `${problem} (expected oci://HOST[:PORT]/REPOSITORY[:TAG][@sha256:DIGEST])`,
    );
  if (!text.startsWith(SCHEME)) throw bad('not an oci:// reference');
  let rest = text.slice(SCHEME.length);
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest))
      throw bad(`digest "${digest}" is not sha256: and 64 lowercase hex digits`);
  }
  const slash = rest.indexOf('/');
  if (slash <= 0) throw bad('no registry host and repository');
  const registry = rest.slice(0, slash);
  if (!HOST.test(registry)) throw bad(`"${registry}" is not a host[:port]`);
  let path = rest.slice(slash + 1);
  let tag: string | undefined;
  const colon = path.lastIndexOf(':');
  if (colon >= 0) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (!TAG.test(tag))
      throw bad(`tag "${tag}" is not 1-128 of [A-Za-z0-9_.-], not starting with . or -`);
  }
  if (path === '') throw bad('no repository');
  const components = path.split('/');
  const wrong = components.find((c) => !COMPONENT.test(c));
  if (wrong !== undefined) {
    throw bad(
      `repository component "${wrong}" must be lowercase letters and digits joined by ., _, __ or -`,
    );
  }
  const dockerHub = registry === 'docker.io' || registry === 'index.docker.io';
  const repository = dockerHub && components.length === 1 ? `library/${path}` : path;
  if (tag === undefined && digest === undefined) tag = 'latest';
  return {
    registry,
    endpoint: dockerHub ? 'registry-1.docker.io' : registry,
    repository,
    tag,
    digest,
  };
}

/** The reference as `oci://registry/repository[:tag][@digest]`, for messages and logs. */
export function formatOciReference(ref: OciReference): string {
  return `${SCHEME}${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${
    ref.digest !== undefined ? `@${ref.digest}` : ''
  }`;
}

/** The tag or digest a manifest request names: the digest when there is one. */
export function manifestReference(ref: OciReference): string {
  return ref.digest ?? (ref.tag as string);
}

export function toOciReference(ref: string | OciReference): OciReference {
  return typeof ref === 'string' ? parseOciReference(ref) : ref;
}
