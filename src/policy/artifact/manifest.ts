// The OPA bundle manifest, /.manifest (OPA v1/bundle/bundle.go Manifest): `revision`, `roots`
// (the data paths the bundle owns), `wasm` (entrypoint → module), `rego_version` and free-form
// `metadata`. Palisade's bundles put there `metadata.palisade` (palisade.json: the policies'
// metadata the webhook reads) and `metadata.provenance` (provenance.ts). The default revision is
// a digest of what decides: the wasm, the data and the policies' metadata, not the build time,
// so rebuilding unchanged policies gives the same revision.
import { createHash } from 'node:crypto';
import { ArtifactError } from './artifact-error';
import { normalJson, opaFileHash } from './opa-hash';

export const MANIFEST_FILE = '.manifest';

export interface WasmResolver {
  entrypoint: string;
  module: string;
}

export interface OpaManifest {
  revision: string;
  roots?: string[];
  wasm?: WasmResolver[];
  rego_version?: number;
  metadata?: Record<string, unknown>;
}

/** The manifest of an archive, checked for the types OPA expects; {revision: ""} when absent. */
export function parseOpaManifest(raw: Buffer | undefined, source: string): OpaManifest {
  if (!raw) return { revision: '' };
  const bad = (problem: string): never => {
    throw new ArtifactError('manifest-invalid', source, `${MANIFEST_FILE}: ${problem}`);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(raw.toString('utf8'));
  } catch (thrown) {
    return bad(`not JSON (${(thrown as Error).message})`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return bad('not a JSON object');
  const m = doc as Record<string, unknown>;
  if (m.revision !== undefined && typeof m.revision !== 'string') bad('revision is not a string');
  if (
    m.roots !== undefined &&
    !(Array.isArray(m.roots) && m.roots.every((r) => typeof r === 'string'))
  ) {
    bad('roots is not a list of strings');
  }
  if (
    m.wasm !== undefined &&
    !(
      Array.isArray(m.wasm) &&
      m.wasm.every((w) => w && typeof w.entrypoint === 'string' && typeof w.module === 'string')
    )
  ) {
    bad('wasm is not a list of {entrypoint, module}');
  }
  if (
    m.metadata !== undefined &&
    (typeof m.metadata !== 'object' || m.metadata === null || Array.isArray(m.metadata))
  ) {
    bad('metadata is not an object');
  }
  return { ...(m as unknown as OpaManifest), revision: (m.revision as string | undefined) ?? '' };
}

/** The manifest's bytes as written into an archive. */
export function manifestBytes(manifest: OpaManifest): Buffer {
  return Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * The content revision "sha256:<hex>" of a Palisade bundle: over policy.wasm's bytes, data.json's
 * OPA hash and the policies of palisade.json in normal form (builtAt left out).
 */
export function contentRevision(wasm: Buffer, data: Buffer | undefined, policies: unknown): string {
  const h = createHash('sha256');
  h.update(`policy.wasm ${createHash('sha256').update(wasm).digest('hex')}\n`);
  h.update(`data.json ${data ? opaFileHash('data.json', data) : '-'}\n`);
  h.update(`policies ${normalJson(JSON.stringify(policies ?? []))}\n`);
  return `sha256:${h.digest('hex')}`;
}

/**
 * The roots a Palisade bundle owns: the entrypoint's first segment ("palisade"), each policy
 * package's first segment ("policies"), and data.json's top-level keys; sorted, unique.
 */
export function bundleRoots(
  entrypoint: string,
  packages: readonly string[],
  data: unknown,
): string[] {
  const roots = new Set<string>([entrypoint.split('/')[0]!]);
  for (const p of packages) roots.add(p.replace(/^data\./, '').split('.')[0]!);
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    for (const k of Object.keys(data)) roots.add(k);
  }
  return [...roots].filter((r) => r !== '').sort();
}
