// What the namespaceSelector e2e files share: the label a policy selects on, the policies
// (one denying everywhere, one only where that label is production), and the Pod and
// AdmissionReview they send.

export const TIER = 'e2e.palisade.dev/tier';

export const selectorPolicies = {
  // What waitForWebhook probes with: denies in every namespace.
  'disallow-privileged': { action: 'deny' },
  'disallow-latest-tag': {
    action: 'deny',
    match: { namespaceSelector: { matchLabels: { [TIER]: 'production' } } },
  },
};

/** A Pod with a :latest image, which disallow-latest-tag denies where it applies. */
export function latestPod(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'app', image: 'registry.example.com/app:latest' }] },
  };
}

/** The AdmissionReview of latestPod('web') created in `ns`. */
export function podReview(ns: string, uid: string) {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: ns,
      operation: 'CREATE',
      userInfo: { username: 'e2e' },
      object: { ...latestPod('web'), metadata: { name: 'web', namespace: ns } },
    },
  };
}
