// ConstraintTemplates → one bundle with Palisade's own policies (when given): each template is
// checked alone first (opa check with its Rego version and the bundle's capabilities), so a
// template with a Rego error is left out with its errors (file field and line) and the others
// still build; the good ones are sandboxed (sandbox.ts) and built by the one bundle build
// (src/policy/build/build-bundle.ts) into the same wasm evaluation. Only a template change
// needs this: constraints are policies over the built bundle (policies.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PolicyBuildError } from '../policy/build/build-error';
import {
  buildBundle,
  builtinPoliciesDir,
  capabilitiesFile,
  type BuildOptions,
  type TemplateBuild,
} from '../policy/build/build-bundle';
import type { Opa, RegoModule, RegoRule } from '../policy/build/opa';
import { packageName } from '../policy/build/aggregator';
import { sandboxModule, sandboxPrefix } from './sandbox';
import type { Template, TemplateModule } from './template';

/** One error of a template, as Gatekeeper's status.byPod[].errors has them. */
export interface TemplateProblem {
  template: string;
  code: string;
  message: string;
  /** The template's field and line: spec.targets[0].rego:12:3. */
  location?: string;
}

export interface CompiledTemplates {
  outDir: string;
  /** Names of the templates in the bundle. */
  compiled: string[];
  /** Per template left out: why. */
  errors: Map<string, TemplateProblem[]>;
}

export interface CompileOptions {
  opa: Opa;
  templates: readonly Template[];
  outDir: string;
  /** Palisade's policy folders to build beside the templates; none: the templates alone. */
  policiesDir?: string;
  log?: (line: string) => void;
  builtAt?: Date;
}

/**
 * Builds the bundle; a template that fails is left out and reported in `errors`. Throws
 * PolicyBuildError only when the build fails for another reason (the policy folders).
 */
export async function compileTemplates(opts: CompileOptions): Promise<CompiledTemplates> {
  const capabilities = resolve(capabilitiesFile(opts.policiesDir ?? builtinPoliciesDir()));
  const errors = new Map<string, TemplateProblem[]>();
  const builds: TemplateBuild[] = [];
  const duplicate = duplicateKinds(opts.templates, errors);
  for (const t of opts.templates) {
    if (duplicate.has(t.name)) continue;
    const built = await prepareTemplate(opts.opa, t, capabilities);
    if ('problems' in built) errors.set(t.name, built.problems);
    else builds.push(built);
  }
  const build = (templates: TemplateBuild[]) =>
    buildBundle({
      policiesDir: opts.policiesDir,
      templates,
      outDir: opts.outDir,
      opa: opts.opa,
      log: opts.log,
      builtAt: opts.builtAt,
    } satisfies BuildOptions);
  try {
    await build(builds);
  } catch (thrown) {
    // What opa check cannot see (the wasm target's own limits): the problems name the template
    // by its label; leave those out and build the rest once more.
    const blamed = blame(thrown, builds);
    if (blamed.size === 0) throw thrown;
    for (const [name, problems] of blamed) errors.set(name, problems);
    builds.splice(0, builds.length, ...builds.filter((b) => !blamed.has(b.name)));
    await build(builds);
  }
  return { outDir: opts.outDir, compiled: builds.map((b) => b.name), errors };
}

/** Two templates of one kind (or name): both are refused, as neither can be chosen. */
function duplicateKinds(
  templates: readonly Template[],
  errors: Map<string, TemplateProblem[]>,
): Set<string> {
  const out = new Set<string>();
  const byName = new Map<string, Template[]>();
  for (const t of templates) byName.set(t.name, [...(byName.get(t.name) ?? []), t]);
  for (const [name, list] of byName) {
    if (list.length < 2) continue;
    out.add(name);
    const where = list.map((t) => t.source).join(', ');
    errors.set(name, [
      {
        template: name,
        code: 'duplicate_template',
        message: `defined ${list.length} times: ${where}`,
      },
    ]);
  }
  return out;
}

/** The label opa's messages show for a template's file (see build-bundle.ts ExtraRegoModule). */
function moduleLabel(t: Template, m: TemplateModule): string {
  return `ConstraintTemplate ${t.name} ${m.field}`;
}

async function prepareTemplate(
  opa: Opa,
  t: Template,
  capabilities: string,
): Promise<TemplateBuild | { problems: TemplateProblem[] }> {
  const modules = [t.rego, ...t.libs];
  const work = mkdtempSync(join(tmpdir(), 'palisade-template-'));
  try {
    const files = modules.map((m, i) => {
      const file = join(work, i === 0 ? 'rego.rego' : `lib-${i - 1}.rego`);
      writeFileSync(file, m.text);
      return file;
    });
    const v0 = t.rego.regoVersion === 0 ? ['--v0-compatible'] : [];
    const checked = await opa.run([
      'check',
      '--format',
      'json',
      ...v0,
      '--capabilities',
      capabilities,
      ...files,
    ]);
    if (checked.code !== 0) {
      return { problems: checkProblems(t, `${checked.stdout}${checked.stderr}`, files, modules) };
    }
    const asts = await Promise.all(
      files.map((f) =>
        opa.json<RegoModule>([
          'parse',
          '--format',
          'json',
          '--json-include',
          'locations,-comments',
          ...v0,
          f,
        ]),
      ),
    );
    const shape = shapeProblems(t, asts);
    if (shape.length > 0) return { problems: shape };
    const prefix = sandboxPrefix(t.name);
    return {
      name: t.name,
      kind: t.kind,
      package: `${prefix}.${packageName(asts[0]!)}`,
      modules: modules.map((m, i) => ({
        path: `gatekeeper/${t.name}/${i === 0 ? 'rego.rego' : `lib-${i - 1}.rego`}`,
        text: sandboxModule(m.text, asts[i]!, prefix),
        regoVersion: m.regoVersion,
        label: moduleLabel(t, m),
      })),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Gatekeeper's own rules: the main module has a violation rule; libs are packages lib.*. */
function shapeProblems(t: Template, asts: RegoModule[]): TemplateProblem[] {
  const out: TemplateProblem[] = [];
  const main = asts[0]!;
  if (!(main.rules ?? []).some((r) => ruleName(r) === 'violation')) {
    out.push({
      template: t.name,
      code: 'missing_violation',
      message: 'the Rego has no violation rule (Gatekeeper evaluates violation[{"msg": ...}])',
      location: t.rego.field,
    });
  }
  asts.slice(1).forEach((ast, i) => {
    const pkg = packageName(ast);
    if (pkg !== 'lib' && !pkg.startsWith('lib.')) {
      out.push({
        template: t.name,
        code: 'invalid_lib_package',
        message: `a lib's package must begin with lib (got ${pkg})`,
        location: t.libs[i]!.field,
      });
    }
  });
  return out;
}

function ruleName(rule: RegoRule): string | undefined {
  return rule.head.name ?? (rule.head.ref?.[0]?.value as string | undefined);
}

/** opa check's JSON errors, each located in the template's field; its text if not JSON. */
function checkProblems(
  t: Template,
  output: string,
  files: readonly string[],
  modules: readonly TemplateModule[],
): TemplateProblem[] {
  const start = output.indexOf('{');
  let parsed: {
    errors?: {
      code?: string;
      message?: string;
      location?: { file?: string; row?: number; col?: number };
    }[];
  };
  try {
    parsed = JSON.parse(output.slice(start));
  } catch {
    return [{ template: t.name, code: 'rego_error', message: output.trim() }];
  }
  return (parsed.errors ?? []).map((e) => {
    const i = files.findIndex((f) => e.location?.file === f || e.location?.file?.endsWith(f));
    const field = (modules[i] ?? t.rego).field;
    const at = e.location?.row
      ? `:${e.location.row}${e.location.col ? `:${e.location.col}` : ''}`
      : '';
    return {
      template: t.name,
      code: e.code ?? 'rego_error',
      message: e.message ?? 'invalid Rego',
      location: `${field}${at}`,
    };
  });
}

/** The templates a failed build's problems name (by label), with those lines. */
function blame(thrown: unknown, builds: readonly TemplateBuild[]): Map<string, TemplateProblem[]> {
  const out = new Map<string, TemplateProblem[]>();
  if (!(thrown instanceof PolicyBuildError)) return out;
  for (const line of thrown.problems) {
    const m = /ConstraintTemplate (\S+) (\S+?)(?::(\d+))?: (?:(\w+): )?(.*)$/.exec(line);
    if (!m || !builds.some((b) => b.name === m[1])) continue;
    const list = out.get(m[1]!) ?? [];
    list.push({
      template: m[1]!,
      code: m[4] ?? 'rego_error',
      message: m[5]!,
      location: m[3] ? `${m[2]}:${m[3]}` : m[2],
    });
    out.set(m[1]!, list);
  }
  return out;
}
