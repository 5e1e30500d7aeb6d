// A denied admission request as events.denials reports it: built by the /validate route
// (src/server), written as a Kubernetes Event by src/kube/denial-events.ts, the two joined by
// main.ts. A shared type, since neither part may import the other (docs/architecture.md).
export interface Denial {
  operation: string;
  /** The resource's group/version, e.g. apps/v1. */
  apiVersion: string;
  kind: string;
  name: string;
  /** Empty for a cluster-scoped object. */
  namespace: string;
  user: string;
  /** Ids of the policies whose deny violations refused it, in order. */
  policies: readonly string[];
  /** The denial's message as kubectl prints it after "denied the request: ". */
  message: string;
}
