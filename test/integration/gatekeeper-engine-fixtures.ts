// The Gatekeeper fixtures of test/fixtures/gatekeeper/engine, read the way the CLI reads them,
// and a runtime over one bundle of Palisade's policies + those templates, built by the real opa.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../src/config/load';
import { compileTemplates, type CompiledTemplates } from '../../src/gatekeeper/compile';
import { loadGatekeeperObjects, type GatekeeperObjects } from '../../src/gatekeeper/load-objects';
import { Opa, pinnedOpaPath } from '../../src/policy/build/opa';
import { PolicyRuntime } from '../../src/policy/policy-runtime';
import { parseDocuments, type SourceDocument } from '../../src/policy/source/yaml';

export const ROOT = join(__dirname, '..', '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'gatekeeper', 'engine');

export function fixtureDocuments(names?: readonly string[]): SourceDocument[] {
  const files =
    names ??
    readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.yaml'))
      .sort();
  return files.flatMap((f) => {
    const file = join(FIXTURES, f);
    return parseDocuments(file, readFileSync(file, 'utf8')).documents;
  });
}

export function fixtureObjects(names?: readonly string[]): GatekeeperObjects {
  return loadGatekeeperObjects(fixtureDocuments(names));
}

export interface Compiled {
  work: string;
  compiled: CompiledTemplates;
  runtime: PolicyRuntime;
  close(): Promise<void>;
}

/** Config entries switching every built-in policy off but `keep` (which denies). */
export function builtInsOffBut(keep: string): Record<string, { action: 'off' | 'deny' }> {
  const dir = join(ROOT, 'policies');
  const ids = readdirSync(dir).filter((d) => existsSync(join(dir, d, 'policy.yaml')));
  return Object.fromEntries(ids.map((id) => [id, { action: id === keep ? 'deny' : 'off' }]));
}

/** Compiles the templates (with Palisade's policies unless templatesOnly) and starts a runtime. */
export async function compileAndStart(
  objects: GatekeeperObjects,
  opts: { templatesOnly?: boolean; config?: object } = {},
): Promise<Compiled> {
  const work = mkdtempSync(join(tmpdir(), 'palisade-gk-'));
  const outDir = join(work, 'bundle');
  const compiled = await compileTemplates({
    opa: new Opa(pinnedOpaPath()),
    templates: objects.templates,
    outDir,
    policiesDir: opts.templatesOnly ? undefined : join(ROOT, 'policies'),
  });
  const config = validateConfig('test', {
    bundle: outDir,
    evaluation: { workers: 0 },
    policies: opts.templatesOnly ? {} : builtInsOffBut('disallow-privileged'),
    ...opts.config,
  });
  const runtime = await PolicyRuntime.start(config);
  return {
    work,
    compiled,
    runtime,
    close: async () => {
      await runtime.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
