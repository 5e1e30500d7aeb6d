// The policy folders the generators describe: each folder's id, path and policy.yaml metadata,
// in folder-name order (lib, .x and _x are not policies).
// TEMPORARY: the reading moves to src/policy/source/discover.ts (helper "source"), which
// validates the metadata; this file then only adapts its PolicySource to what generators read.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { GenerateError } from './generate-error';

/** What the generators read of a policy.yaml (docs/policy-contract.md). */
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

export function readPolicyFolders(policiesDir: string): GeneratorPolicy[] {
  if (!existsSync(policiesDir)) {
    throw new GenerateError('PAL_GEN_SOURCE', `${policiesDir}: no such directory`);
  }
  return readdirSync(policiesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== 'lib' && !/^[._]/.test(e.name))
    .map((e) => e.name)
    .sort()
    .map((id) => {
      const dir = join(policiesDir, id);
      const file = join(dir, 'policy.yaml');
      if (!existsSync(file)) throw new GenerateError('PAL_GEN_SOURCE', `${file}: missing`);
      return { id, dir, meta: parse(readFileSync(file, 'utf8')) as GeneratorMeta };
    });
}
