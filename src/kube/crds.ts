// CustomResourceDefinitions Palisade creates at run time (the constraint CRD of each Gatekeeper
// ConstraintTemplate, src/gatekeeper/controller). Every write is guarded by the resourceVersion
// it was based on; several replicas may ensure the same CRD at once, so "already exists" and
// "changed meanwhile" are read again, never an error. Needs get, create, update and delete of
// customresourcedefinitions (create cannot be limited by name: the names are known only then).
//
// Raw JSON through the generic client (resources.ts): client-node's typed ApiextensionsV1Api
// (de)serializes schemas by its TypeScript names, which would drop a template's own
// `x-kubernetes-*` and other keys on the way.
import { apiReason, apiStatus } from './client';
import { clusterResource } from './custom-resources';
import { openKubeResources, type KubeObject, type KubeResources } from './resources';

/** A CRD as JSON (the fields read here; the rest passes through). */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels?: Record<string, string>; resourceVersion?: string };
  spec: Record<string, unknown>;
  status?: { conditions?: Array<{ type: string; status: string; message?: string }> };
}

const CRDS = clusterResource(
  { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' },
  'CustomResourceDefinition',
);

const MAX_ATTEMPTS = 5;

export type EnsureResult = 'created' | 'updated' | 'unchanged';

export interface CrdClient {
  get(name: string): Promise<CustomResourceDefinition | undefined>;
  /**
   * Makes the CRD `name` have `desired`'s spec and labels: creates it, or replaces its spec when
   * it differs. `owned` decides whether an existing CRD may be replaced (one another tool made
   * is left alone: the call throws naming it).
   */
  ensure(
    desired: CustomResourceDefinition,
    owned: (existing: CustomResourceDefinition) => boolean,
  ): Promise<EnsureResult>;
  /** Deletes the CRD (and with it every object of its kind); absent is fine. */
  delete(name: string): Promise<void>;
  /** Resolves once the CRD is Established (its API serves), or throws after `timeoutMs`. */
  established(name: string, timeoutMs?: number, pollMs?: number): Promise<void>;
}

export async function crdClient(kubeconfig?: string): Promise<CrdClient> {
  return crdsOver(await openKubeResources(kubeconfig));
}

export function crdsOver(kube: KubeResources): CrdClient {
  const get = async (name: string) =>
    ((await kube.get(CRDS, name)) as CustomResourceDefinition | null) ?? undefined;
  const raw = (crd: CustomResourceDefinition) => crd as unknown as KubeObject;
  return {
    get,
    async ensure(desired, owned) {
      const name = desired.metadata.name;
      for (let attempt = 1; ; attempt++) {
        const existing = await get(name);
        try {
          if (!existing) {
            await kube.create(CRDS, raw(desired));
            return 'created';
          }
          if (!owned(existing)) {
            throw new Error(
              `customresourcedefinition ${name} exists and was not made by Palisade; ` +
                'delete it or remove the ConstraintTemplate that needs it',
            );
          }
          if (sameDefinition(existing, desired)) return 'unchanged';
          const body: CustomResourceDefinition = {
            ...existing,
            metadata: {
              ...existing.metadata,
              labels: { ...existing.metadata.labels, ...desired.metadata.labels },
            },
            spec: desired.spec,
          };
          await kube.replace(CRDS, raw(body));
          return 'updated';
        } catch (err) {
          // 409: another replica created or changed it meanwhile; read it again.
          if (apiStatus(err) !== 409 || attempt === MAX_ATTEMPTS) throw err;
        }
      }
    },
    async delete(name) {
      await kube.delete(CRDS, name);
    },
    async established(name, timeoutMs = 30_000, pollMs = 200) {
      const deadline = Date.now() + timeoutMs;
      let why: string;
      for (;;) {
        try {
          const crd = await get(name);
          const c = crd?.status?.conditions?.find((x) => x.type === 'Established');
          if (c?.status === 'True') return;
          why = crd ? (c?.message ?? 'not established yet') : 'not found';
        } catch (err) {
          why = apiReason(err);
        }
        if (Date.now() > deadline) {
          throw new Error(
            `customresourcedefinition ${name} not established in ${timeoutMs} ms: ${why}`,
          );
        }
        // The apiserver establishes a CRD a moment after it accepts it: a bounded condition poll.
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    },
  };
}

/** Same spec as desired, for the fields desired sets (the apiserver adds defaults to the rest). */
function sameDefinition(existing: CustomResourceDefinition, desired: CustomResourceDefinition) {
  const labels = desired.metadata.labels ?? {};
  const have = existing.metadata.labels ?? {};
  if (Object.entries(labels).some(([k, v]) => have[k] !== v)) return false;
  return covers(existing.spec, desired.spec);
}

/** Whether every field `want` sets has that value in `have` (arrays compared item by item). */
export function covers(have: unknown, want: unknown): boolean {
  if (Array.isArray(want)) {
    return (
      Array.isArray(have) && have.length === want.length && want.every((w, i) => covers(have[i], w))
    );
  }
  if (typeof want === 'object' && want !== null) {
    if (typeof have !== 'object' || have === null || Array.isArray(have)) return false;
    const h = have as Record<string, unknown>;
    return Object.entries(want).every(([k, w]) => w === undefined || covers(h[k], w));
  }
  return have === want;
}
