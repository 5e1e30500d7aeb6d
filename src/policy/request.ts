// The AdmissionRequest a policy reads as input.review: the Kubernetes request of an
// AdmissionReview (admission.k8s.io/v1), as the kube-apiserver sends it to a validating webhook.
// https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#request
// Defined here, in the policy part, because it is the policies' input contract
// (docs/policy-contract.md); src/admission wraps it in the AdmissionReview wire format.

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    generateName?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  resource?: { group: string; version: string; resource: string };
  subResource?: string;
  requestKind?: GroupVersionKind;
  name?: string;
  namespace?: string;
  operation: Operation;
  userInfo: UserInfo;
  object?: KubeObject | null;
  oldObject?: KubeObject | null;
  dryRun?: boolean;
  options?: unknown;
}
