// One coordination.k8s.io/v1 Lease through client-node's CoordinationV1Api, as the LeaseApi the
// elector (lease-lock.ts) reads and writes: the spec's fields, times as RFC 3339 strings with
// microseconds (a MicroTime), every call bounded.
import type { V1Lease } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { apiStatus, loadKubeConfig, withTimeout } from './client';
import type { LeaseApi, LeaseRecord, StoredLease } from './lease-lock';

/** RFC 3339 with microseconds, as the apiserver writes a MicroTime. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

function timeText(t: unknown): string | undefined {
  if (t === undefined || t === null) return undefined;
  return t instanceof Date ? microTime(t.getTime()) : String(t);
}

/** A Lease through client-node's CoordinationV1Api, each call bounded by `timeoutMs`. */
export async function leaseApi(o: {
  kubeconfig?: string;
  name: string;
  namespace: string;
  timeoutMs: number;
}): Promise<LeaseApi> {
  const { k8s, kc } = await loadKubeConfig(o.kubeconfig);
  const api = kc.makeApiClient(k8s.CoordinationV1Api);
  const { name, namespace, timeoutMs } = o;
  const description = `${namespace}/${name}`;
  const stored = (lease: V1Lease): StoredLease => {
    const spec = lease.spec ?? {};
    return {
      record: {
        holderIdentity: spec.holderIdentity ?? '',
        leaseDurationSeconds: spec.leaseDurationSeconds,
        acquireTime: timeText(spec.acquireTime),
        renewTime: timeText(spec.renewTime),
        leaseTransitions: spec.leaseTransitions ?? 0,
      },
      resourceVersion: lease.metadata?.resourceVersion ?? '',
    };
  };
  // MicroTime fields are sent as the strings given: client-node passes them through as they are.
  const body = (record: LeaseRecord, resourceVersion?: string): V1Lease => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, resourceVersion },
    spec: record as V1Lease['spec'],
  });
  return {
    description,
    async get() {
      try {
        return stored(
          await withTimeout(
            `reading lease ${description}`,
            api.readNamespacedLease({ name, namespace }),
            timeoutMs,
          ),
        );
      } catch (err) {
        if (apiStatus(err) === 404) return null;
        throw err;
      }
    },
    async create(record) {
      return stored(
        await withTimeout(
          `creating lease ${description}`,
          api.createNamespacedLease({ namespace, body: body(record) }),
          timeoutMs,
        ),
      );
    },
    async update(record, resourceVersion) {
      return stored(
        await withTimeout(
          `updating lease ${description}`,
          api.replaceNamespacedLease({ name, namespace, body: body(record, resourceVersion) }),
          timeoutMs,
        ),
      );
    },
  };
}
