// Status as Gatekeeper writes it, one entry per pod: a template's `status.created` and
// `status.byPod[{id, observedGeneration, errors[{code, message, location}]}]`, a constraint's
// `status.byPod[{id, observedGeneration, enforced, errors}]`. Several replicas write the same
// object: each replaces only the entry with its own id, in a read-modify-write of /status
// guarded by the resourceVersion it read. A 409 (another pod wrote meanwhile) reads again, so
// no pod can erase another's entry.
import type { CustomObject, CustomObjectClient, ResourceRef } from '../../kube/custom-resources';
import { apiStatus } from '../../kube/client';

export interface StatusError {
  code: string;
  message: string;
  location?: string;
}

export interface ByPodEntry {
  id: string;
  observedGeneration?: number;
  [key: string]: unknown;
}

const MAX_ATTEMPTS = 8;

/** `status` with `entry` in place of the entry of the same id (appended if it has none). */
export function withByPod(
  status: Record<string, unknown> | undefined,
  entry: ByPodEntry,
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  const byPod = Array.isArray(status?.byPod) ? (status.byPod as ByPodEntry[]) : [];
  const at = byPod.findIndex((e) => e?.id === entry.id);
  const next = at < 0 ? [...byPod, entry] : byPod.map((e, i) => (i === at ? entry : e));
  return { ...status, ...fields, byPod: next };
}

export function templateEntry(
  id: string,
  generation: number | undefined,
  errors: readonly StatusError[],
): ByPodEntry {
  return {
    id,
    observedGeneration: generation,
    ...(errors.length ? { errors: errors.map(cleanError) } : {}),
  };
}

export function constraintEntry(
  id: string,
  generation: number | undefined,
  errors: readonly StatusError[],
): ByPodEntry {
  return { ...templateEntry(id, generation, errors), enforced: errors.length === 0 };
}

function cleanError(e: StatusError): StatusError {
  return e.location
    ? { code: e.code, message: e.message, location: e.location }
    : { code: e.code, message: e.message };
}

/** Deep equality of JSON values, key order aside (the apiserver returns keys sorted). */
function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (typeof v !== 'object' || v === null) return v;
  const o = v as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => [k, canonical(o[k])]),
  );
}

/**
 * Writes this pod's entry into the object's status (and `fields`, e.g. `created`). `seen`, the
 * object as the watch last delivered it, spares the read when its status is already so.
 * Returns false when the object is gone (deleted meanwhile: nothing to write).
 */
export async function writeByPod(
  client: Pick<CustomObjectClient, 'get' | 'replaceStatus'>,
  ref: ResourceRef,
  name: string,
  entry: ByPodEntry,
  fields: Record<string, unknown> = {},
  seen?: CustomObject,
): Promise<boolean> {
  if (seen && same(withByPod(seen.status, entry, fields), seen.status)) return true;
  for (let attempt = 1; ; attempt++) {
    const obj: CustomObject | undefined = await client.get(ref, name);
    if (!obj) return false;
    const status = withByPod(obj.status, entry, fields);
    if (same(status, obj.status)) return true;
    try {
      await client.replaceStatus(ref, { ...obj, status });
      return true;
    } catch (err) {
      if (apiStatus(err) === 404) return false;
      if (apiStatus(err) !== 409 || attempt === MAX_ATTEMPTS) throw err;
    }
  }
}
