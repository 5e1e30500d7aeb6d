// The policy folders the generators describe, from the one discovery and validation of
// src/policy/source/discover.ts: each folder's id, path and policy.yaml metadata (kinds
// expanded), in folder-name order. A tree with any problem generates nothing: every problem is
// reported at once, each naming its file.
import { join } from 'node:path';
import { loadPolicySources } from '../source/discover';
import { GenerateError } from './generate-error';

/** What the generators read of a validated policy.yaml (docs/policy-contract.md). */
export interface GeneratorMeta {
  id: string;
  title: string;
  description: string;
  severity: string;
  action: string;
  match: { kinds: string[]; operations: string[] };
  parameters?: { properties?: Record<string, ParameterSchema> };
  controls?: Controls;
  docs: string;
}

export interface ParameterSchema {
  type?: string;
  enum?: unknown[];
  items?: ParameterSchema;
  properties?: Record<string, ParameterSchema>;
  required?: string[];
  description?: string;
  default?: unknown;
}

export interface Controls {
  pss?: { level: string; check: string };
  cis?: string[];
  nsa?: string;
}

export interface GeneratorPolicy {
  id: string;
  dir: string;
  meta: GeneratorMeta;
}

/** The policies under root/policies, or a GenerateError listing every problem found. */
export function readPolicyFolders(root: string): GeneratorPolicy[] {
  const { policies, errors } = loadPolicySources(join(root, 'policies'));
  if (errors.length > 0) {
    throw new GenerateError('PAL_GEN_SOURCE', `invalid policy folders:\n  ${errors.join('\n  ')}`);
  }
  // checkMetadata (src/policy/source/metadata.ts) has validated every field read here.
  return policies.map((p) => ({ id: p.id, dir: p.dir, meta: p.meta as unknown as GeneratorMeta }));
}
