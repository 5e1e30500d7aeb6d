// The AdmissionReview `palisade eval` evaluates for a manifest: the request the kube-apiserver
// would send (src/policy/source/manifest-request.ts, the one builder) in the wire format
// (docs/cli.md, "What eval sends").
import { ADMISSION_API_VERSION, type AdmissionReviewRequest } from '../admission/types';
import type { KubeObject } from '../policy/request';
import type { KindInfo } from '../policy/source/kinds';
import { manifestRequest, type RequestOptions } from '../policy/source/manifest-request';

/** The review for one object; `old` is the object before an UPDATE (manifestRequest). */
export function buildReview(
  manifest: KubeObject,
  kind: KindInfo,
  opts: RequestOptions,
  old?: KubeObject,
): AdmissionReviewRequest {
  const request = manifestRequest(manifest, kind, old ? { ...opts, old } : opts);
  return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', request };
}
