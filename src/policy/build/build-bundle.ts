// palisade build: policy folders → a bundle directory (docs/policy-contract.md, "The bundle"):
//   1. the policy folders, validated (src/policy/source/discover.ts, pod kinds included);
//   2. the aggregator palisade/main.rego (aggregator.ts), whose single entrypoint
//      palisade/violations evaluates the policies listed in input.policies;
//   3. lib + policies (no *_test.rego) + aggregator compiled by `opa build -t wasm` against
//      POLICIES_DIR/capabilities.json, so a builtin the wasm host cannot run fails here, with its
//      file:line;
//   4. OUT/{policy.wasm,data.json,palisade.json} written atomically (swap.ts); palisade.json
//      records, per policy, the top-level object fields it can read (reads.ts) and whether it
//      may read metadata.managedFields (managed-fields.ts).
// The wasm embeds the names of its source files (for the locations in its errors), so opa runs
// in the work directory on copies under fixed relative names (policies.d/..., palisade/
// main.rego): the same policies build the same bytes wherever they and the temp dir are, and
// the bundle's content revision (src/policy/artifact) changes only when a policy does.
import { copyFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { loadPolicySources, type PolicySource } from '../source/discover';
import { generateAggregator } from './aggregator';
import { PolicyBuildError } from './build-error';
import { ENTRYPOINT } from '../bundle';
import { bundleManifest, objectReads } from './bundle-manifest';
import { managedFieldsRecords } from './managed-fields';
import { podSpecCacheRecords } from './pod-spec-cacheable';
import type { Opa } from './opa';
import { regoSources } from './rego-files';
import { stagingDir, swapInto } from './swap';
import { readTarGz } from '../artifact/tar';
import { packageRoot } from './package-root';

/** One Rego file the build adds beside the policy folders (a Gatekeeper template's). */
export interface ExtraRegoModule {
  /** Its path in the bundle, e.g. gatekeeper/k8srequiredlabels/rego.rego. */
  path: string;
  text: string;
  /** 0 for Rego v0 (Gatekeeper's), listed in the bundle's .manifest file_rego_versions. */
  regoVersion: 0 | 1;
  /** What opa's messages about this file say instead of its path (template and field). */
  label: string;
}

/** A ConstraintTemplate's compiled form (src/gatekeeper/compile.ts makes it). */
export interface TemplateBuild {
  name: string;
  kind: string;
  /** The package of its violation rule, as compiled (without "data."). */
  package: string;
  modules: readonly ExtraRegoModule[];
}

export interface BuildOptions {
  /** The policy folders; without them the bundle holds only `templates`. */
  policiesDir?: string;
  /** Gatekeeper ConstraintTemplates compiled into the same wasm (docs/gatekeeper.md). */
  templates?: readonly TemplateBuild[];
  outDir: string;
  opa: Opa;
  /**
   * opa build -O. 0 by default: measured with the starter policies (node, opa-wasm 1.10), -O=1
   * gives the same module size and speed, -O=2 a slightly larger module that evaluates ~1.8x
   * slower (20-container Deployment with violations: 0.71 ms at -O=0/1, 1.3 ms at -O=2).
   * Re-measured with the full built-in library (opa 1.22.2, bench/profile-eval.ts): -O=1 the same
   * speed (1.02x of -O=0's CPU per Deployment evaluation); -O=2 did not finish in 10 minutes and
   * grew to 23 GB resident. (The CLI reads OPA_OPTIMIZE.)
   */
  optimize?: number;
  /** palisade.json builtAt; now by default (the CLI reads SOURCE_DATE_EPOCH). */
  builtAt?: Date;
  /** Also write the generated aggregator here (npm run bench loads it into OPA server). */
  aggregatorOut?: string;
  /** Progress lines ("39 policies: ..."), for stderr. */
  log?: (line: string) => void;
}

export interface BuiltBundle {
  outDir: string;
  policies: PolicySource[];
  wasmBytes: number;
}

/** Builds the bundle; throws PolicyBuildError naming the problems, leaving outDir untouched. */
export async function buildBundle(opts: BuildOptions): Promise<BuiltBundle> {
  const log = opts.log ?? (() => {});
  const dir = opts.policiesDir?.replace(/(.)\/+$/, '$1');
  const templates = opts.templates ?? [];
  const capabilities = capabilitiesFile(dir ?? builtinPoliciesDir());
  const policies = dir === undefined ? [] : validPolicies(dir);
  if (dir !== undefined) log(`${policies.length} policies: ${policies.map((p) => p.id).join(' ')}`);
  if (templates.length > 0)
    log(`${templates.length} templates: ${templates.map((t) => t.name).join(' ')}`);

  const work = mkdtempSync(join(tmpdir(), 'palisade-build-'));
  // opa builds the bundle directory ROOT (-b), so its .manifest can give each file its Rego
  // version: Gatekeeper's templates are v0, Palisade's policies v1 (file_rego_versions, which
  // opa 1.22 honours for -t wasm; keys are paths from the bundle root with a leading /).
  const root = join(work, 'bundle');
  let stage: string | undefined;
  try {
    mkdirSync(join(root, 'palisade'), { recursive: true });
    const main = join(root, 'palisade', 'main.rego');
    writeFileSync(main, await generateAggregator(opts.opa, dir, policies, templates));
    if (opts.aggregatorOut) copyFileSync(main, opts.aggregatorOut);

    const sources = dir === undefined ? [] : regoSources(dir);
    // An explicit list of templates may be empty (all of them left out): the bundle then only
    // holds the entrypoint; a build of policy folders needs some Rego.
    if (sources.length === 0 && opts.templates === undefined) {
      throw new PolicyBuildError(`no .rego sources under ${dir}`);
    }
    for (const source of sources) {
      const name = join(root, STAGED_SOURCES, relative(dir!, source));
      mkdirSync(dirname(name), { recursive: true });
      copyFileSync(source, name);
    }
    const labels = new Map<string, string>();
    const v0: Record<string, number> = {};
    for (const m of templates.flatMap((t) => t.modules)) {
      mkdirSync(dirname(join(root, m.path)), { recursive: true });
      writeFileSync(join(root, m.path), m.text);
      labels.set(m.path, m.label);
      if (m.regoVersion === 0) v0[`/${m.path}`] = 0;
    }
    const manifest = { rego_version: 1, file_rego_versions: v0 };
    writeFileSync(join(root, '.manifest'), JSON.stringify(manifest));
    const optimize = opts.optimize ?? 0;
    const files = sources.length + templates.reduce((n, t) => n + t.modules.length, 0);
    log(`opa build -t wasm -O=${optimize} (${files} files + aggregator)`);
    const archive = join(work, 'bundle.tar.gz');
    const args = ['build', '-t', 'wasm', `-O=${optimize}`, '--capabilities', resolve(capabilities)];
    const run = await opts.opa.run([...args, '-e', ENTRYPOINT, '-o', archive, '-b', '.'], root);
    if (run.code !== 0) {
      const output = `${run.stdout}${run.stderr}`;
      throw new PolicyBuildError(
        'opa build failed',
        opaProblems(output, work, dir ?? '', capabilities, labels),
      );
    }

    const archived = readTarGz(await readFile(archive), archive);
    const wasm = archived.get('policy.wasm');
    const data = archived.get('data.json');
    if (!wasm || !data) throw new PolicyBuildError(`opa build wrote no policy.wasm and data.json`);
    const reads = await objectReads(opts.opa, sources, policies);
    const podSpecCache = await podSpecCacheRecords(opts.opa, sources, policies);
    const managedFields = await managedFieldsRecords(opts.opa, sources, policies);
    const written = bundleManifest({
      policies,
      templates,
      reads,
      podSpecCache,
      managedFields,
      builtAt: opts.builtAt ?? new Date(),
      opaVersion: await opts.opa.version(),
      wasm,
    });

    stage = stagingDir(opts.outDir);
    writeFileSync(join(stage, 'policy.wasm'), wasm, { mode: 0o644 });
    writeFileSync(join(stage, 'data.json'), data, { mode: 0o644 });
    writeFileSync(join(stage, 'palisade.json'), `${JSON.stringify(written, null, 2)}\n`);
    chmodSync(stage, 0o755);
    swapInto(stage, opts.outDir);
    stage = undefined;
    log(`wrote ${opts.outDir}: policy.wasm (${wasm.length} bytes), data.json, palisade.json`);
    return { outDir: opts.outDir, policies, wasmBytes: wasm.length };
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (stage) rmSync(stage, { recursive: true, force: true });
  }
}

/** Palisade's own policies directory (its capabilities.json serves a templates-only build). */
export function builtinPoliciesDir(): string {
  return join(packageRoot(), 'policies');
}

/** Where the build copies the Rego sources in its work directory, for stable names. */
const STAGED_SOURCES = 'policies.d';

/** POLICIES_DIR/capabilities.json, which must exist. */
export function capabilitiesFile(dir: string): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new PolicyBuildError(`policies directory '${dir}' not found`);
  }
  const file = join(dir, 'capabilities.json');
  if (!existsSync(file)) {
    throw new PolicyBuildError(`${file} not found (generate it: palisade generate)`);
  }
  return file;
}

/** The policy folders, all valid, or a PolicyBuildError listing every problem. */
export function validPolicies(dir: string): PolicySource[] {
  const { policies, errors } = loadPolicySources(dir);
  if (errors.length > 0) throw new PolicyBuildError('invalid policy folder(s)', errors);
  return policies;
}

/**
 * opa's messages (file:line: message, on stdout), the generated aggregator shown as
 * <generated>/, and for each undefined function the reason it is most likely undefined.
 */
function opaProblems(
  output: string,
  work: string,
  dir: string,
  capabilities: string,
  labels: ReadonlyMap<string, string>,
): string[] {
  let text = output
    .split(`${work}/bundle/`)
    .join('')
    .split(`${work}/`)
    .join('')
    .replace(/(^|[\s'"(])policies\.d\//g, `$1${dir}/`)
    .replace(/(^|[\s'"(])palisade\/main\.rego/g, '$1<generated>/palisade/main.rego');
  for (const [path, label] of labels) text = text.split(path).join(label);
  const lines = text.replace(/\n+$/, '').split('\n');
  const undefinedFns = [
    ...new Set([...output.matchAll(/undefined function ([A-Za-z0-9_.]*)/g)].map((m) => m[1]!)),
  ].sort();
  return [
    ...lines,
    ...undefinedFns.map(
      (fn) =>
        `${fn} is neither a builtin the wasm bundle can run (${capabilities}) nor a function the policies define`,
    ),
  ];
}
