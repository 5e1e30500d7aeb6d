// The templates of a `palisade verify` run, each compiled once per run: every distinct template
// (by its content) goes into one bundle with one opa build (compile.ts), so N suites cost one
// compile, not N. Two different templates of one name (two versions tested in two suites) go
// into separate bundles, one per version. A template that does not compile is an error of the
// tests that use it only; the others still run.
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeThrown } from '../errors';
import { loadBundle } from '../policy/bundle';
import type { Opa } from '../policy/build/opa';
import { InlineEvaluator } from '../policy/engine';
import { describeProblem, parseDocuments } from '../policy/source/yaml';
import { compileTemplates } from './compile';
import { loadGatekeeperObjects } from './load-objects';
import type { Template } from './template';

export interface CompiledTemplate {
  template?: Template;
  /** Why the template cannot be used (unreadable, not a template, CEL-only, a Rego error). */
  error?: string;
  bundleDir?: string;
  evaluator?: InlineEvaluator;
  /** Sets data.inventory on the template's evaluator, unless it already holds this one. */
  setInventory(inventoryJson: string): Promise<void>;
}

export interface CompiledSuiteTemplates {
  /** By template file (absolute path). */
  byFile: Map<string, CompiledTemplate>;
  close(): Promise<void>;
}

/** The evaluation memory of a run (the webhook's default; a large inventory may need more). */
const LIMITS = { maxMemoryBytes: 256 * 1024 * 1024 };

export async function compileSuiteTemplates(
  files: readonly string[],
  opa: Opa,
  log: (line: string) => void = () => undefined,
): Promise<CompiledSuiteTemplates> {
  const byFile = new Map<string, CompiledTemplate>();
  const work = mkdtempSync(join(tmpdir(), 'palisade-verify-'));
  const failed = (error: string): CompiledTemplate => ({ error, setInventory: async () => {} });
  // Distinct templates: by content; each content in the first batch free of its name.
  const read = new Map<string, Template>();
  for (const file of new Set(files)) {
    const got = await readTemplate(file);
    if (typeof got === 'string') byFile.set(file, failed(got));
    else read.set(file, got);
  }
  const batches: Map<string, Template>[] = [];
  const batchOf = new Map<string, { batch: number; key: string }>();
  for (const [file, t] of read) {
    const key = JSON.stringify(t.object);
    let i = batches.findIndex(
      (b) => b.get(t.name) === undefined || sameContent(b.get(t.name)!, key),
    );
    if (i < 0) i = batches.push(new Map()) - 1;
    if (!batches[i]!.has(t.name)) batches[i]!.set(t.name, t);
    batchOf.set(file, { batch: i, key });
  }
  const built = await Promise.all(
    batches.map((b, i) => buildBatch([...b.values()], join(work, `bundle-${i}`), opa, log)),
  );
  for (const [file, { batch }] of batchOf) {
    const t = read.get(file)!;
    const b = built[batch]!;
    const error = b.errors.get(t.name);
    if (error !== undefined) byFile.set(file, { template: t, ...failed(error) });
    else {
      byFile.set(file, {
        template: t,
        bundleDir: b.dir,
        evaluator: b.evaluator,
        setInventory: b.setInventory,
      });
    }
  }
  return {
    byFile,
    close: async () => {
      await Promise.all(built.map((b) => b.evaluator?.close()));
      rmSync(work, { recursive: true, force: true });
    },
  };
}

function sameContent(t: Template, key: string): boolean {
  return JSON.stringify(t.object) === key;
}

interface Batch {
  dir: string;
  evaluator?: InlineEvaluator;
  /** Per template name: why it is not in the bundle. */
  errors: Map<string, string>;
  setInventory(json: string): Promise<void>;
}

async function buildBatch(
  templates: Template[],
  dir: string,
  opa: Opa,
  log: (line: string) => void,
): Promise<Batch> {
  const errors = new Map<string, string>();
  let evaluator: InlineEvaluator | undefined;
  try {
    const out = await compileTemplates({ opa, templates, outDir: dir, log });
    for (const [name, problems] of out.errors) {
      errors.set(
        name,
        problems
          .map((p) => `${p.location ? `${p.location}: ` : ''}${p.code}: ${p.message}`)
          .join('; '),
      );
    }
    const bundle = await loadBundle(dir);
    evaluator = new InlineEvaluator(bundle, LIMITS);
  } catch (thrown) {
    for (const t of templates) if (!errors.has(t.name)) errors.set(t.name, describeThrown(thrown));
  }
  let current: string | undefined;
  return {
    dir,
    evaluator,
    errors,
    setInventory: async (json) => {
      if (json === current || !evaluator) return;
      await evaluator.setInventory(json);
      current = json;
    },
  };
}

/** The one ConstraintTemplate of a file, or why there is none. */
async function readTemplate(file: string): Promise<Template | string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (thrown) {
    return `cannot read ${file}: ${describeThrown(thrown)}`;
  }
  const { documents, problems } = parseDocuments(file, text);
  if (problems.length > 0) return problems.map(describeProblem).join('; ');
  const objects = loadGatekeeperObjects(documents);
  if (objects.problems.length > 0) return objects.problems.map(describeProblem).join('; ');
  if (objects.templates.length !== 1 || documents.length !== 1) {
    return `${file}: not a ConstraintTemplate (a template file holds one ConstraintTemplate)`;
  }
  return objects.templates[0]!;
}
