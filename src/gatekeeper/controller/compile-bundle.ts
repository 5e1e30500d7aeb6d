// One compile of the cluster's templates with the built-in policies into a bundle in memory:
// a fresh directory under the temporary directory (the chart mounts /tmp), compiled by
// src/gatekeeper/compile.ts with the image's opa, loaded, then removed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundle, type Bundle } from '../../policy/bundle';
import type { Opa } from '../../policy/build/opa';
import { compileTemplates, type TemplateProblem } from '../compile';
import type { Template } from '../template';

export interface CompileResult {
  bundle: Bundle;
  /** Names of the templates in the bundle. */
  compiled: ReadonlySet<string>;
  /** Per template left out: its problems (a Rego error with its line). */
  errors: ReadonlyMap<string, readonly TemplateProblem[]>;
}

export type Compile = (templates: readonly Template[]) => Promise<CompileResult>;

export function bundleCompiler(opa: Opa, policiesDir?: string): Compile {
  return async (templates) => {
    const dir = await mkdtemp(join(tmpdir(), 'palisade-gatekeeper-'));
    try {
      const outDir = join(dir, 'bundle');
      const result = await compileTemplates({ opa, templates, outDir, policiesDir });
      return {
        bundle: await loadBundle(result.outDir),
        compiled: new Set(result.compiled),
        errors: result.errors,
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}
