// The error of every OCI registry failure: PAL_ERR_OCI with the reference and the problem in its
// message, and a short `reason` a caller can count (the bundle poller's failure metric) or test
// without reading the message.
import { PalisadeError } from '../../errors';

export type OciFailure =
  /** The oci:// reference does not parse. */
  | 'reference'
  /** The credentials file cannot be read or has no usable entry. */
  | 'credentials'
  /** 401: no credentials, or the registry (or its token server) refused them. */
  | 'unauthorized'
  /** 403: authenticated, but not allowed (e.g. pull-only credentials pushing). */
  | 'denied'
  /** 404: no such repository, tag, manifest or blob. */
  | 'not_found'
  /** The TLS handshake failed: an untrusted CA, a wrong host name, an expired certificate. */
  | 'tls'
  /** No connection: refused, reset, unknown host. */
  | 'network'
  | 'timeout'
  /** The registry answered something the distribution spec does not allow here. */
  | 'protocol'
  /** Content whose SHA-256 is not the digest it was fetched by. */
  | 'digest_mismatch'
  /** A manifest or a layer over the size limit. */
  | 'too_large'
  /** Not an OPA bundle artifact: an index, no tar+gzip layer, not gzip bytes. */
  | 'not_a_bundle';

export class OciError extends PalisadeError {
  readonly reason: OciFailure;
  /** The HTTP status the registry answered, when it answered. */
  readonly httpStatus: number | undefined;

  constructor(
    reason: OciFailure,
    where: string,
    problem: string,
    options: { cause?: unknown; httpStatus?: number } = {},
  ) {
    super('PAL_ERR_OCI', [where, problem], { cause: options.cause });
    this.name = 'OciError';
    this.reason = reason;
    this.httpStatus = options.httpStatus;
  }
}

export function isOciError(thrown: unknown): thrown is OciError {
  return thrown instanceof OciError;
}
