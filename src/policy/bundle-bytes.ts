// A compiled policy bundle from its files' bytes, with no file system: bundle.ts reads the files
// of a directory; src/bundles hands over an archive's; the playground's browser code
// (src/playground) fetches them over HTTP. Its files, as `palisade build` (src/policy/build)
// writes them:
//   policy.wasm   the policies compiled by `opa build -t wasm`
//   data.json     the bundle's data document (loaded with setData)
//   palisade.json the policies' metadata (policy.yaml of each, as JSON)
import { describeThrown, PalisadeError } from '../errors';
import { ACTIONS, READS_ALL, type PolicyMeta } from './policy-meta';

export const ENTRYPOINT = 'palisade/violations';

export interface Bundle {
  readonly path: string;
  readonly module: WebAssembly.Module;
  /** data.json as serialized JSON, or undefined when the bundle has no data. */
  readonly data?: ArrayBuffer;
  readonly policies: ReadonlyMap<string, PolicyMeta>;
  /** Gatekeeper ConstraintTemplates compiled in, by name (palisade.json `templates`). */
  readonly templates: ReadonlyMap<string, BundleTemplate>;
}

export interface BundleTemplate {
  readonly name: string;
  readonly kind: string;
  readonly package: string;
}

/**
 * A bundle from its files' bytes (a bundle archive read by src/policy/artifact). `path` names it
 * in errors and in Bundle.path: the directory, or the archive's source.
 */
export async function bundleFromBytes(
  path: string,
  files: { wasm: Uint8Array; data?: Uint8Array; manifest: Uint8Array },
): Promise<Bundle> {
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(toArrayBuffer(files.wasm));
  } catch (thrown) {
    throw new PalisadeError('PAL_ERR_BUNDLE_INVALID', [
      path,
      `policy.wasm: ${describeThrown(thrown)}`,
    ]);
  }
  const { policies, templates } = parseManifest(path, new TextDecoder().decode(files.manifest));
  return {
    path,
    module,
    data: files.data && files.data.byteLength > 0 ? toArrayBuffer(files.data) : undefined,
    policies,
    templates,
  };
}

function parseManifest(
  dir: string,
  text: string,
): { policies: Map<string, PolicyMeta>; templates: Map<string, BundleTemplate> } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (thrown) {
    throw new PalisadeError('PAL_ERR_BUNDLE_INVALID', [
      dir,
      `palisade.json: ${describeThrown(thrown)}`,
    ]);
  }
  const list = (doc as { policies?: unknown }).policies;
  if (!Array.isArray(list)) {
    throw new PalisadeError('PAL_ERR_BUNDLE_INVALID', [dir, 'palisade.json has no policies list']);
  }
  const out = new Map<string, PolicyMeta>();
  for (const p of list as PolicyMeta[]) {
    if (!p || typeof p.id !== 'string' || !ACTIONS.includes(p.action)) {
      throw new PalisadeError('PAL_ERR_BUNDLE_INVALID', [
        dir,
        `palisade.json: policy ${JSON.stringify(p?.id)} lacks an id or a valid action`,
      ]);
    }
    if (!validReads(p.reads)) {
      throw new PalisadeError('PAL_ERR_BUNDLE_INVALID', [
        dir,
        `palisade.json: policy ${JSON.stringify(p.id)} has reads that are neither "*" nor a list of field names`,
      ]);
    }
    out.set(p.id, { ...p, match: p.match ?? {} });
  }
  return {
    policies: out,
    templates: parseTemplates(dir, (doc as { templates?: unknown }).templates),
  };
}

function parseTemplates(dir: string, list: unknown): Map<string, BundleTemplate> {
  const out = new Map<string, BundleTemplate>();
  if (list === undefined) return out;
  const valid = (t: unknown): t is BundleTemplate =>
    !!t &&
    typeof t === 'object' &&
    ['name', 'kind', 'package'].every((k) => typeof (t as Record<string, unknown>)[k] === 'string');
  if (!Array.isArray(list) || !list.every(valid)) {
    throw new PalisadeError('PAL_ERR_BUNDLE_INVALID', [
      dir,
      'palisade.json: templates is not a list of {name, kind, package}',
    ]);
  }
  for (const t of list) out.set(t.name, { name: t.name, kind: t.kind, package: t.package });
  return out;
}

// A wrong reads would leave out a field a policy needs and change its decisions: refuse it.
function validReads(reads: unknown): boolean {
  if (reads === undefined || reads === READS_ALL) return true;
  return Array.isArray(reads) && reads.every((f) => typeof f === 'string');
}

/** An ArrayBuffer holding exactly these bytes (a Buffer may sit inside a larger shared pool). */
function toArrayBuffer(buf: Uint8Array): ArrayBuffer {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}
