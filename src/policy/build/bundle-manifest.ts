// palisade.json, the bundle's manifest: every policy's metadata (policy.yaml, validated, kinds
// expanded) with its Rego package and what it reads of the object, when and with which opa the
// bundle was built, its entrypoint and the wasm's digest. The webhook, the CLI and the audit read
// it (src/policy/bundle.ts).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { READS_ALL, type PodSpecCacheRecord, type PolicyReads } from '../policy-meta';
import { PolicyBuildError } from './build-error';
import type { Opa } from './opa';
import { policyReads } from './reads';
import { ENTRYPOINT } from '../bundle';

/** What the manifest needs of a policy folder. */
export interface ManifestSource {
  id: string;
  package: string;
  dir: string;
  /** policy.yaml as validated; written to palisade.json as it is. */
  meta: object & { reads?: unknown };
}

/** A compiled Gatekeeper ConstraintTemplate: what constraints of its kind evaluate. */
export interface ManifestTemplate {
  name: string;
  kind: string;
  package: string;
}

export interface BundleManifest {
  policies: (Record<string, unknown> & {
    package: string;
    reads: PolicyReads;
    podSpecCache?: PodSpecCacheRecord;
    readsManagedFields: boolean;
  })[];
  /** Absent when the bundle has no Gatekeeper templates. */
  templates?: ManifestTemplate[];
  builtAt: string;
  opaVersion: string;
  entrypoint: typeof ENTRYPOINT;
  wasmSha256: string;
}

export function bundleManifest(opts: {
  policies: readonly ManifestSource[];
  templates?: readonly ManifestTemplate[];
  reads: ReadonlyMap<string, PolicyReads>;
  /** Each policy's podSpecCache record (pod-spec-cacheable.ts); absent: not cacheable. */
  podSpecCache?: ReadonlyMap<string, PodSpecCacheRecord>;
  /** Each policy's readsManagedFields (managed-fields.ts); absent: true (it keeps them). */
  managedFields?: ReadonlyMap<string, boolean>;
  builtAt: Date;
  opaVersion: string;
  wasm: Buffer;
}): BundleManifest {
  return {
    policies: opts.policies.map((p) => ({
      ...(p.meta as Record<string, unknown>),
      package: p.package,
      reads: opts.reads.get(p.id) ?? READS_ALL,
      // A policy.yaml declaring reads '*' says the analysis may miss what it reads: it keeps them.
      readsManagedFields: p.meta.reads === READS_ALL || (opts.managedFields?.get(p.id) ?? true),
      ...(opts.podSpecCache?.has(p.id) ? { podSpecCache: opts.podSpecCache.get(p.id) } : {}),
    })),
    ...(opts.templates?.length
      ? {
          templates: opts.templates.map(({ name, kind, package: pkg }) => ({
            name,
            kind,
            package: pkg,
          })),
        }
      : {}),
    builtAt: opts.builtAt.toISOString(),
    opaVersion: opts.opaVersion,
    entrypoint: ENTRYPOINT,
    wasmSha256: createHash('sha256').update(opts.wasm).digest('hex'),
  };
}

/**
 * Each policy's reads: its policy.yaml declaration, else derived from the Rego. A declaration
 * may widen what is derived (an alias the analysis cannot follow), never narrow it: leaving out
 * a field the Rego reads would change its decisions. `files`: every non-test Rego of the bundle.
 */
export async function objectReads(
  opa: Opa,
  files: readonly string[],
  policies: readonly ManifestSource[],
): Promise<Map<string, PolicyReads>> {
  const derived = await Promise.all(policies.map((p) => policyReads(opa, files, p.package)));
  const out = new Map<string, PolicyReads>();
  const problems: string[] = [];
  policies.forEach((p, i) => {
    const found = derived[i]!;
    const declared = p.meta.reads as PolicyReads | undefined;
    if (Array.isArray(declared) && Array.isArray(found)) {
      const missing = found.filter((f) => !declared.includes(f));
      if (missing.length > 0) {
        problems.push(
          `${join(p.dir, 'policy.yaml')}: reads leaves out ${missing.join(', ')}, which policy.rego reads`,
        );
      }
    }
    out.set(p.id, Array.isArray(declared) ? [...declared].sort() : (declared ?? found));
  });
  if (problems.length > 0) throw new PolicyBuildError('reads narrower than the Rego', problems);
  return out;
}
