// A Palisade bundle as one file, a standard OPA bundle (bundle.tar.gz) that `opa inspect` and
// `opa build -b` read: /.manifest (revision, roots, wasm entrypoint → /policy.wasm, metadata.
// palisade = palisade.json, metadata.provenance), /policy.wasm, /data.json and, when signed,
// /.signatures.json in OPA's format (signatures.ts). The one way to write one
// (writeBundleArchive, from a `palisade build` directory) and the one way to read one
// (readBundleArchive: unpacked defensively, verified against the trusted keys, refused with an
// ArtifactError naming the reason). Loading what was read: load.ts.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ArtifactError } from './artifact-error';
import {
  bundleRoots,
  contentRevision,
  MANIFEST_FILE,
  manifestBytes,
  parseOpaManifest,
  type OpaManifest,
} from './manifest';
import type { Provenance } from './provenance';
import {
  SIGNATURES_FILE,
  signBundleFiles,
  verifyBundleFiles,
  type SigningOptions,
  type VerificationKey,
  type VerificationOptions,
  type VerifiedSignature,
} from './signatures';
import { DEFAULT_MAX_BYTES, readTarGz, writeTarGz } from './tar';

export const ENTRYPOINT = 'palisade/violations';
export const WASM_MODULE = '/policy.wasm';

export interface WriteArchiveOptions {
  /** The manifest revision; a content digest (manifest.ts contentRevision) by default. */
  revision?: string;
  /** The manifest roots; derived from the entrypoint, the packages and data.json by default. */
  roots?: string[];
  /** metadata.provenance (provenance.ts buildProvenance). */
  provenance?: Provenance | Record<string, unknown>;
  /** Sign in OPA's format. */
  signing?: SigningOptions;
  /** The tar entries' modification time (SOURCE_DATE_EPOCH); 1970-01-01 by default. */
  mtime?: Date;
}

export interface BuiltArchive {
  bytes: Buffer;
  /** "sha256:<hex>" of the archive's bytes. */
  digest: string;
  revision: string;
  manifest: OpaManifest;
}

/** The archive of a bundle directory (policy.wasm, data.json, palisade.json) as bytes. */
export async function bundleArchive(
  bundleDir: string,
  opts: WriteArchiveOptions = {},
): Promise<BuiltArchive> {
  const read = async (name: string, optional = false): Promise<Buffer | undefined> => {
    const path = join(bundleDir, name);
    if (optional && !existsSync(path)) return undefined;
    try {
      return await readFile(path);
    } catch (thrown) {
      throw new ArtifactError(
        'archive-invalid',
        bundleDir,
        `cannot read ${name}: ${(thrown as Error).message}`,
        { cause: thrown },
      );
    }
  };
  const [wasm, data, palisadeRaw] = [
    await read('policy.wasm'),
    await read('data.json', true),
    await read('palisade.json'),
  ];
  const palisade = jsonFile(palisadeRaw!, join(bundleDir, 'palisade.json'));
  const dataDoc = data ? jsonFile(data, join(bundleDir, 'data.json')) : undefined;
  const policies = (palisade as { policies?: { package?: string }[] }).policies ?? [];
  const manifest: OpaManifest = {
    revision: opts.revision ?? contentRevision(wasm!, data, policies),
    roots:
      opts.roots ??
      bundleRoots(
        ENTRYPOINT,
        policies.map((p) => p.package ?? ''),
        dataDoc,
      ),
    wasm: [{ entrypoint: ENTRYPOINT, module: WASM_MODULE }],
    metadata: { palisade, ...(opts.provenance ? { provenance: opts.provenance } : {}) },
  };
  const files = new Map<string, Buffer>([
    ['data.json', data ?? Buffer.from('{}\n')],
    ['policy.wasm', wasm!],
    [MANIFEST_FILE, manifestBytes(manifest)],
  ]);
  if (opts.signing) files.set(SIGNATURES_FILE, signBundleFiles(files, opts.signing));
  const bytes = writeTarGz(
    [...files].map(([name, d]) => ({ name, data: d })),
    Math.floor((opts.mtime?.getTime() ?? 0) / 1000),
  );
  return { bytes, digest: sha256(bytes), revision: manifest.revision, manifest };
}

/** Writes the archive of a bundle directory to outFile, atomically (a temp file renamed). */
export async function writeBundleArchive(
  bundleDir: string,
  outFile: string,
  opts: WriteArchiveOptions = {},
): Promise<BuiltArchive> {
  const built = await bundleArchive(bundleDir, opts);
  await mkdir(dirname(outFile), { recursive: true });
  const tmp = join(dirname(outFile), `.${basename(outFile)}.${process.pid}.tmp`);
  try {
    await writeFile(tmp, built.bytes, { mode: 0o644 });
    await rename(tmp, outFile);
  } finally {
    await rm(tmp, { force: true });
  }
  return built;
}

export interface ReadArchiveOptions {
  /** Names the bundle in errors (a file, an oci:// or https:// reference). */
  source?: string;
  /** The trusted keys. Without any, a signature is not checked. */
  publicKeys?: readonly VerificationKey[];
  /** Refuse a bundle without a signature; true when publicKeys are given. */
  required?: boolean;
  keyId?: VerificationOptions['keyId'];
  scope?: VerificationOptions['scope'];
  exclude?: VerificationOptions['exclude'];
  now?: Date;
  /** Limit of the unpacked archive; 256 MiB by default. */
  maxBytes?: number;
}

export interface BundleArchive {
  /** Every file by name ("policy.wasm", ".manifest", ...), .signatures.json included. */
  files: Map<string, Buffer>;
  manifest: OpaManifest;
  revision: string;
  /** "sha256:<hex>" of the archive's bytes. */
  digest: string;
  /** Set when the signature was verified: by which key, with which algorithm. */
  signature?: VerifiedSignature;
  source: string;
}

/**
 * Reads a bundle archive and verifies it: with publicKeys (and `required`, true by default then)
 * a bundle must carry a valid signature by one of them covering every file. Throws ArtifactError
 * (PAL_ERR_BUNDLE_ARCHIVE or PAL_ERR_BUNDLE_VERIFY, with its `reason`).
 */
export async function readBundleArchive(
  bytes: Uint8Array,
  opts: ReadArchiveOptions = {},
): Promise<BundleArchive> {
  const source = opts.source ?? 'bundle archive';
  const files = readTarGz(bytes, source, opts.maxBytes ?? DEFAULT_MAX_BYTES);
  const keys = opts.publicKeys ?? [];
  const required = opts.required ?? keys.length > 0;
  let signature: VerifiedSignature | undefined;
  if (required || (keys.length > 0 && files.has(SIGNATURES_FILE))) {
    signature = verifyBundleFiles(files, source, {
      publicKeys: keys,
      keyId: opts.keyId,
      scope: opts.scope,
      exclude: opts.exclude,
      now: opts.now,
    });
  }
  const manifest = parseOpaManifest(files.get(MANIFEST_FILE), source);
  for (const w of manifest.wasm ?? []) {
    if (!files.has(w.module.replace(/^\/+/, ''))) {
      throw new ArtifactError(
        'manifest-invalid',
        source,
        `${MANIFEST_FILE} names wasm module ${w.module}, which the archive lacks`,
      );
    }
  }
  return {
    files,
    manifest,
    revision: manifest.revision,
    digest: sha256(Buffer.from(bytes)),
    signature,
    source,
  };
}

function jsonFile(raw: Buffer, path: string): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (thrown) {
    throw new ArtifactError('archive-invalid', path, `not JSON: ${(thrown as Error).message}`);
  }
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
