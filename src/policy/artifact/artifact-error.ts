// The coded errors of bundle archives: PAL_ERR_BUNDLE_ARCHIVE when the bytes are not a bundle
// archive Palisade can read (not gzip, a broken tar, a path leaving the bundle, a missing
// .manifest), PAL_ERR_BUNDLE_VERIFY when the signature does not verify. Each carries a `reason`,
// a short stable word for logs and metric labels (Part P counts failures by it); the message
// names the bundle and the problem.
import { PalisadeError } from '../../errors';

/** Why a bundle archive was refused. */
export type ArtifactReason =
  // PAL_ERR_BUNDLE_ARCHIVE
  | 'archive-invalid'
  | 'manifest-invalid'
  // PAL_ERR_BUNDLE_VERIFY
  | 'unsigned'
  | 'signature-invalid'
  | 'algorithm-unsupported'
  | 'algorithm-mismatch'
  | 'key-invalid'
  | 'unknown-key-id'
  | 'wrong-key'
  | 'scope-mismatch'
  | 'expired'
  | 'not-yet-valid'
  | 'hash-unsupported'
  | 'tampered'
  | 'unlisted-file'
  | 'missing-file';

export class ArtifactError extends PalisadeError {
  readonly reason: ArtifactReason;
  /** The bundle (file, reference) as the caller named it. */
  readonly source: string;

  constructor(
    reason: ArtifactReason,
    source: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    const code =
      reason === 'archive-invalid' || reason === 'manifest-invalid'
        ? 'PAL_ERR_BUNDLE_ARCHIVE'
        : 'PAL_ERR_BUNDLE_VERIFY';
    super(code, [source, problem], options);
    this.name = 'ArtifactError';
    this.reason = reason;
    this.source = source;
  }
}
