// Which top-level fields of the reviewed object reach the wasm. The bundle build records, per
// policy, the fields its Rego can read (palisade.json `reads`, src/policy/build/reads.ts); a field
// no applicable policy reads is left out of object and oldObject, so a 1 MiB Secret's data or a
// ConfigMap's binaryData never costs wasm memory when only metadata is checked.
import type { AdmissionRequest, KubeObject } from './request';
import { READS_ALL } from './policy-meta';
import type { EffectivePolicy } from './policy-set';

/** The fields the policies can read together, or undefined when one may read any field. */
export function fieldsRead(policies: readonly EffectivePolicy[]): ReadonlySet<string> | undefined {
  const fields = new Set<string>();
  for (const p of policies) {
    const reads = p.meta.reads ?? READS_ALL; // a bundle built before reads were recorded
    if (reads === READS_ALL) return undefined;
    for (const f of reads) fields.add(f);
  }
  return fields;
}

/**
 * The request as the policies may see it: object and oldObject shallow-copied with only `fields`
 * (the big values are shared, not copied); the request itself when every field may be read.
 */
export function withFieldsRead(
  req: AdmissionRequest,
  fields: ReadonlySet<string> | undefined,
): AdmissionRequest {
  if (fields === undefined) return req;
  return { ...req, object: keep(req.object, fields), oldObject: keep(req.oldObject, fields) };
}

function keep<T extends KubeObject | null | undefined>(obj: T, fields: ReadonlySet<string>): T {
  // Only a JSON object has fields; anything else goes as it came (the policies test its type).
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return obj;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj)) if (fields.has(key)) out[key] = obj[key];
  return out as T;
}
