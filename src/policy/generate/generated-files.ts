// Every file Palisade generates from its sources, rendered in one pass (`palisade generate`),
// then written or compared. Each file has a short name for --only; deploy/ is rendered from
// the chart summary of the same pass, so it is never checked against a stale summary.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderCapabilities } from './capabilities';
import { CHART_SUMMARY, renderChartSummary } from './chart-summary';
import { DEPLOY_MANIFEST, renderDeployManifest } from './deploy-manifest';
import { POLICY_DOCS, renderPolicyDocs } from './policy-docs';
import { readPolicyFolders, type GeneratorPolicy } from './policy-folders';
import { renderKindsRego } from '../source/kinds';

export const GENERATED = {
  capabilities: 'policies/capabilities.json',
  docs: POLICY_DOCS,
  chart: CHART_SUMMARY,
  deploy: DEPLOY_MANIFEST,
  kinds: 'policies/lib/kubernetes/kinds.rego',
} as const;

export type GeneratedName = keyof typeof GENERATED;
export const GENERATED_NAMES = Object.keys(GENERATED) as GeneratedName[];

export interface GeneratedFile {
  name: GeneratedName;
  /** Relative to the repository root, with forward slashes. */
  path: string;
  text: string;
}

export interface GenerateResult {
  files: GeneratedFile[];
  /** What was measured on the way (the capabilities probe), for --verbose. */
  notes: string[];
}

/** Renders the named files (all by default) from the repository at `root`, in memory. */
export async function renderGenerated(
  root: string,
  names: readonly GeneratedName[] = GENERATED_NAMES,
): Promise<GenerateResult> {
  const want = new Set(names);
  const files: GeneratedFile[] = [];
  const notes: string[] = [];
  const add = (name: GeneratedName, text: string) =>
    files.push({ name, path: GENERATED[name], text });
  if (want.has('capabilities')) {
    const caps = await renderCapabilities(root);
    add('capabilities', caps.text);
    notes.push(`capabilities: ${caps.summary}`);
  }
  let policies: GeneratorPolicy[] | undefined;
  const folders = () => (policies ??= readPolicyFolders(root));
  if (want.has('docs')) add('docs', await renderPolicyDocs(root, folders()));
  if (want.has('chart') || want.has('deploy')) {
    const summary = await renderChartSummary(root, folders());
    if (want.has('chart')) add('chart', summary);
    if (want.has('deploy')) add('deploy', renderDeployManifest(root, summary));
  }
  // The pod library's template paths, from the kinds table (src/policy/source/kinds.ts).
  if (want.has('kinds')) add('kinds', renderKindsRego());
  return { files, notes };
}

/** The files whose text under `dir` differs from what was rendered (missing ones included). */
export function staleFiles(dir: string, files: readonly GeneratedFile[]): GeneratedFile[] {
  return files.filter((f) => {
    const file = join(dir, f.path);
    return !existsSync(file) || readFileSync(file, 'utf8') !== f.text;
  });
}

/** Writes each file under `dir` (through a temporary name, so a reader never sees half). */
export function writeFiles(dir: string, files: readonly GeneratedFile[]): void {
  for (const f of files) {
    const file = join(dir, f.path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, f.text);
    renameSync(`${file}.tmp`, file);
  }
}
