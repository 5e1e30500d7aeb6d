// Which fields of the reviewed object reach the wasm. The bundle build records, per policy, the
// top-level fields its Rego can read (palisade.json `reads`, src/policy/build/reads.ts) and
// whether it may read metadata.managedFields (`readsManagedFields`, build/managed-fields.ts); a
// field no applicable policy reads is left out of object and oldObject, so a 1 MiB Secret's data,
// a ConfigMap's binaryData or the apiserver's ~10 KB of server-side apply bookkeeping never costs
// wasm memory and parse time when only metadata or the pod spec is checked.
import type { AdmissionRequest, KubeObject } from './request';
import { READS_ALL } from './policy-meta';
import type { EffectivePolicy } from './policy-set';

/** What of the object the applicable policies can read together. */
export interface FieldsRead {
  /** The top-level fields, or undefined when one policy may read any field. */
  fields: ReadonlySet<string> | undefined;
  /** Whether one policy may read metadata.managedFields. */
  managedFields: boolean;
}

/** The fields the policies can read together. */
export function fieldsRead(policies: readonly EffectivePolicy[]): FieldsRead {
  let fields: Set<string> | undefined = new Set();
  let managedFields = false;
  for (const p of policies) {
    // Absent in a bundle built before it was recorded: read.
    if (p.meta.readsManagedFields !== false) managedFields = true;
    const reads = p.meta.reads ?? READS_ALL; // a bundle built before reads were recorded
    if (reads === READS_ALL) fields = undefined;
    else if (fields) for (const f of reads) fields.add(f);
  }
  return { fields, managedFields };
}

/**
 * The request as the policies may see it: object and oldObject shallow-copied with only the
 * fields read (the big values are shared, not copied), metadata shallow-copied without
 * managedFields when no policy reads it; the request itself when everything may be read.
 */
export function withFieldsRead(req: AdmissionRequest, read: FieldsRead): AdmissionRequest {
  if (read.fields === undefined && read.managedFields) return req;
  return { ...req, object: keep(req.object, read), oldObject: keep(req.oldObject, read) };
}

function keep<T extends KubeObject | null | undefined>(obj: T, read: FieldsRead): T {
  // Only a JSON object has fields; anything else goes as it came (the policies test its type).
  if (!isRecord(obj)) return obj;
  let out: Record<string, unknown> = obj;
  if (read.fields !== undefined) {
    out = {};
    for (const key of Object.keys(obj)) if (read.fields.has(key)) out[key] = obj[key];
  }
  const metadata = out.metadata;
  if (!read.managedFields && isRecord(metadata) && 'managedFields' in metadata) {
    const rest = { ...metadata };
    delete rest.managedFields;
    out = { ...out, metadata: rest };
  }
  return out as T;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
