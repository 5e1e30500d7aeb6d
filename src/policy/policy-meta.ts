// Metadata of one policy, from its policy.yaml, as the bundle build writes it to palisade.json.
// docs/policy-contract.md describes each field.

export type Action = 'deny' | 'warn' | 'audit' | 'off';
export const ACTIONS: readonly Action[] = ['deny', 'warn', 'audit', 'off'];

/** Reads any top-level field of the reviewed object (its reads could not be bounded). */
export const READS_ALL = '*';
/** The top-level fields of input.review.object / oldObject a policy can read, or READS_ALL. */
export type PolicyReads = readonly string[] | typeof READS_ALL;

export interface PolicyMatchSpec {
  kinds?: string[];
  operations?: string[];
}

export interface PolicyMeta {
  id: string;
  title: string;
  description?: string;
  severity?: string;
  action: Action;
  match: PolicyMatchSpec;
  /** JSON schema of the parameters; `properties.<name>.default` gives the defaults. */
  parameters?: { properties?: Record<string, { default?: unknown }> } & Record<string, unknown>;
  controls?: Record<string, unknown>;
  docs?: string;
  /** Absent in a bundle built before reads were recorded: READS_ALL. */
  reads?: PolicyReads;
  /**
   * Whether the Rego may read metadata.managedFields of the object (src/policy/build/
   * managed-fields.ts). Only false leaves it out; absent (a bundle built before it was recorded)
   * keeps it.
   */
  readsManagedFields?: boolean;
  podSpecCache?: PodSpecCacheRecord;
}

/** Default parameters from a policy's parameter schema: the one algorithm, in source/. */
export { defaultParameters } from './source/parameters';

/**
 * palisade.json `podSpecCache` (src/policy/build/pod-spec-cacheable.ts): what the policy reads
 * when its result can be kept per pod template (request fields and template fields, or '*' for
 * the whole template), or why it cannot. Absent in a bundle built before it was recorded: not
 * cacheable.
 */
export type PodSpecCacheRecord =
  | { readonly request: readonly string[]; readonly template: readonly string[] | '*' }
  | { readonly reason: string };
