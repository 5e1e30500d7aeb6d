// Response builders. Every one echoes the request's uid and apiVersion, the error path included.
import { ADMISSION_API_VERSION, type AdmissionReviewResponse, type Status } from './types';

export interface ReplyTo {
  uid: string;
  apiVersion?: string;
}

function review(
  to: ReplyTo,
  response: AdmissionReviewResponse['response'],
): AdmissionReviewResponse {
  return { apiVersion: to.apiVersion ?? ADMISSION_API_VERSION, kind: 'AdmissionReview', response };
}

export function allowed(
  to: ReplyTo,
  extra: { warnings?: string[]; auditAnnotations?: Record<string, string> } = {},
): AdmissionReviewResponse {
  return review(to, { uid: to.uid, allowed: true, ...nonEmpty(extra) });
}

export function denied(
  to: ReplyTo,
  message: string,
  extra: { warnings?: string[]; auditAnnotations?: Record<string, string> } = {},
): AdmissionReviewResponse {
  const status: Status = { code: 403, reason: 'Forbidden', message };
  return review(to, { uid: to.uid, allowed: false, status, ...nonEmpty(extra) });
}

/**
 * Palisade could not decide. The failure mode chooses: closed refuses the request (500,
 * InternalError), open admits it; both say so in a warning.
 */
export function errored(
  to: ReplyTo,
  reason: string,
  failureMode: 'closed' | 'open',
): AdmissionReviewResponse {
  if (failureMode === 'open') {
    return review(to, {
      uid: to.uid,
      allowed: true,
      // The reason can quote the request (a bad field's value): warnings travel as HTTP headers.
      warnings: [
        `Palisade could not evaluate policies and failed open: ${reason}`
          .replace(CONTROL_CHARACTERS, ' ')
          .slice(0, 256),
      ],
    });
  }
  return review(to, {
    uid: to.uid,
    allowed: false,
    status: {
      code: 500,
      reason: 'InternalError',
      message: `Palisade could not evaluate policies and failed closed: ${reason}`,
    },
    warnings: [
      'Palisade failed closed: the request was refused because policies could not be evaluated',
    ],
  });
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]+/g;

function nonEmpty<T extends { warnings?: string[]; auditAnnotations?: Record<string, string> }>(
  x: T,
) {
  const out: { warnings?: string[]; auditAnnotations?: Record<string, string> } = {};
  if (x.warnings?.length) out.warnings = x.warnings;
  if (x.auditAnnotations && Object.keys(x.auditAnnotations).length)
    out.auditAnnotations = x.auditAnnotations;
  return out;
}
