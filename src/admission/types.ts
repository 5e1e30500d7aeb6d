// AdmissionReview admission.k8s.io/v1, as the kube-apiserver sends and expects it.
// https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#request

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

import type { AdmissionRequest } from '../policy/request';

export type {
  AdmissionRequest,
  GroupVersionKind,
  KubeObject,
  Operation,
  UserInfo,
} from '../policy/request';

export interface AdmissionReviewRequest {
  apiVersion: string;
  kind: 'AdmissionReview';
  request: AdmissionRequest;
}

export interface Status {
  code: number;
  reason: string;
  message: string;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: Status;
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

export interface AdmissionReviewResponse {
  apiVersion: string;
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}
