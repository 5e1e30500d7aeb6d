// Rendered manifests (e.g. `helm template` output, a multi-document YAML string) applied to the
// local apiserver with server-side dry run: every object goes through the apiserver's validation
// and its whole admission chain (Pod Security Admission, registered webhooks), and nothing is
// stored. One kubectl call per object, so each result belongs to exactly one object.
import { parseAllDocuments } from 'yaml';
import { YAML_VERSION } from '../../src/policy/source/yaml';
import { kubectl } from '../support/cluster';

export interface DryRunResult {
  kind: string;
  name: string;
  /** metadata.namespace of the manifest, if it set one. */
  namespace?: string;
  /** kubectl exited 0: the apiserver would have stored the object. */
  ok: boolean;
  /** The object as the apiserver would store it (defaults applied), when ok. */
  object?: Record<string, unknown>;
  /** kubectl's `Warning: ` lines, without that prefix (Pod Security, webhook warnings). */
  warnings: string[];
  /** kubectl's stderr without the warning lines, when not ok. */
  error?: string;
}

export interface DryRunOptions {
  /** For objects that set no metadata.namespace (helm template leaves most unset). */
  namespace?: string;
}

type Manifest = {
  kind?: string;
  metadata?: { name?: string; generateName?: string; namespace?: string };
};

/** Parses every non-empty document; a YAML error throws, naming the document. */
export function parseManifests(yamlText: string): Manifest[] {
  const out: Manifest[] = [];
  parseAllDocuments(yamlText, { version: YAML_VERSION }).forEach((doc, i) => {
    if (doc.errors.length > 0) {
      throw new Error(`document ${i + 1}: ${doc.errors.map((e) => e.message).join('; ')}`);
    }
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) return; // `---` with only comments
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new Error(`document ${i + 1} is not a Kubernetes object`);
    }
    out.push(value as Manifest);
  });
  return out;
}

export async function dryRunApply(
  yamlText: string,
  opts: DryRunOptions = {},
): Promise<DryRunResult[]> {
  const results: DryRunResult[] = [];
  for (const manifest of parseManifests(yamlText)) {
    results.push(await dryRunOne(manifest, opts));
  }
  return results;
}

async function dryRunOne(manifest: Manifest, opts: DryRunOptions): Promise<DryRunResult> {
  const args = ['apply', '--dry-run=server', '-o', 'json', '-f', '-'];
  if (opts.namespace) args.push('-n', opts.namespace);
  const r = await kubectl(args, JSON.stringify(manifest));
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  const warnings = lines.filter((l) => l.startsWith('Warning: ')).map((l) => l.slice(9));
  const rest = lines.filter((l) => !l.startsWith('Warning: ')).join('\n');
  const base = {
    kind: manifest.kind ?? '',
    name: manifest.metadata?.name ?? manifest.metadata?.generateName ?? '',
    ...(manifest.metadata?.namespace ? { namespace: manifest.metadata.namespace } : {}),
    warnings,
  };
  if (r.code !== 0) return { ...base, ok: false, error: rest };
  return { ...base, ok: true, object: JSON.parse(r.stdout) as Record<string, unknown> };
}
