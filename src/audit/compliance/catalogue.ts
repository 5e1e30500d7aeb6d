// The control catalogue: every control of the frameworks Palisade's policies map to (Pod Security
// Standards checks, CIS Kubernetes Benchmark section 5, the NSA-CISA Kubernetes Hardening Guide's
// sections), from catalogue.json, whose `source` fields name the documents and versions. And the
// one reading of a policy's `controls` (policy.yaml: pss {level, check}, cis [ids], nsa section).
import data from './catalogue.json';
import type { PolicyMeta } from '../../policy/policy-meta';

export const FRAMEWORK_IDS = ['pss', 'cis', 'nsa'] as const;
export type FrameworkId = (typeof FRAMEWORK_IDS)[number];

export interface CatalogueControl {
  id: string;
  title: string;
  /** PSS: baseline or restricted. */
  level?: string;
  /** CIS: the recommendation's section; NSA: the chapter of a section. */
  section?: string;
  /** PSS: the Kubernetes version the check appeared in. */
  since?: string;
  description?: string;
}

export interface Framework {
  id: FrameworkId;
  name: string;
  version: string;
  /** The documents the controls were written from. */
  source: string;
  controls: readonly CatalogueControl[];
}

export interface ControlRef {
  framework: FrameworkId;
  id: string;
}

export const CATALOGUE: readonly Framework[] = Object.freeze(
  data.frameworks.map((f) => ({ ...f, id: f.id as FrameworkId })),
);

/**
 * The controls a policy names, in framework order. Read defensively: a bundle built elsewhere
 * (a Gatekeeper template, an older build) may have no `controls` or an odd shape, and a policy
 * is then simply mapped to nothing.
 */
export function policyControls(meta: Pick<PolicyMeta, 'controls'>): ControlRef[] {
  const c = meta.controls ?? {};
  const out: ControlRef[] = [];
  const pss = c.pss as { check?: unknown } | undefined;
  if (pss && typeof pss.check === 'string' && pss.check) {
    out.push({ framework: 'pss', id: pss.check });
  }
  if (Array.isArray(c.cis)) {
    for (const id of c.cis) if (typeof id === 'string' && id) out.push({ framework: 'cis', id });
  }
  if (typeof c.nsa === 'string' && c.nsa.trim()) {
    out.push({ framework: 'nsa', id: c.nsa.trim() });
  }
  return out;
}

/** Framework keys of a policy's `controls` that Palisade has no catalogue for. */
export function unknownFrameworks(meta: Pick<PolicyMeta, 'controls'>): string[] {
  return Object.keys(meta.controls ?? {}).filter(
    (k) => !(FRAMEWORK_IDS as readonly string[]).includes(k),
  );
}
