// OPA's bundle signature, /.signatures.json = {"signatures": [JWT]}, the JWT's payload listing
// every other file of the bundle with its hash (opa-hash.ts): `{"files": [{name, hash,
// algorithm}], "keyid"?, "scope"?, ...claims}`. Verification follows OPA (v1/bundle/verify.go):
// exactly one JWT; its key id is the configured one, else the header's `kid`, else the payload's
// deprecated `keyid`; the key's algorithm must be the header's `alg`; the payload's scope must
// equal the configured one; every file must be listed with a matching hash and every listed file
// present. Beyond OPA: `exp` and `nbf` claims, when present, are honoured.
import { ArtifactError } from './artifact-error';
import { opaFileHash } from './opa-hash';
import {
  decodeCompact,
  isSigningAlgorithm,
  keyMismatch,
  privateKey,
  publicKey,
  signCompact,
  verifyCompact,
  type KeyInput,
  type SigningAlgorithm,
} from './jws';

export const SIGNATURES_FILE = '.signatures.json';

export interface SigningOptions {
  /** The private key (PEM text or bytes, or a KeyObject). */
  key: KeyInput;
  /** RS256 by default, as opa build. */
  algorithm?: SigningAlgorithm;
  /** The JWT's `kid` header (and the deprecated `keyid` claim); OPA's default is "default". */
  keyId?: string;
  /** Extra claims for the payload (iss, scope, exp, ...), as opa build --claims-file. */
  claims?: Record<string, unknown>;
}

export interface VerificationKey {
  keyId: string;
  /** The public key (PEM text or bytes, an X.509 certificate, or a KeyObject). */
  key: KeyInput;
  algorithm: SigningAlgorithm;
  /** The scope this key's bundles must carry (OPA's key `scope`); "" by default. */
  scope?: string;
}

export interface VerificationOptions {
  /** The trusted keys, by key id (several for rotation). */
  publicKeys: readonly VerificationKey[];
  /** Use this key id whatever the JWT names (OPA's bundle `signing.keyid`). */
  keyId?: string;
  /** The scope to require; the key's scope, else "", by default. */
  scope?: string;
  /** Glob patterns (`*` within a name segment) of files not checked, as OPA's `exclude_files`. */
  exclude?: readonly string[];
  /** Now, for exp and nbf; the clock by default. */
  now?: Date;
}

export interface VerifiedSignature {
  keyId: string;
  algorithm: SigningAlgorithm;
  /** The payload's claims other than `files`. */
  claims: Record<string, unknown>;
}

/** The .signatures.json content signing these files (every file but .signatures.json itself). */
export function signBundleFiles(files: ReadonlyMap<string, Buffer>, opts: SigningOptions): Buffer {
  const algorithm = opts.algorithm ?? 'RS256';
  const listed = [...files]
    .filter(([name]) => name !== SIGNATURES_FILE)
    .map(([name, content]) => ({ name, hash: opaFileHash(name, content), algorithm: 'SHA-256' }));
  const payload = {
    files: listed,
    ...(opts.keyId && !opts.claims ? { keyid: opts.keyId } : {}),
    ...opts.claims,
  };
  const token = signCompact(payload, algorithm, privateKey(opts.key), opts.keyId);
  return Buffer.from(`${JSON.stringify({ signatures: [token] }, null, 1)}\n`);
}

/**
 * Verifies the bundle's files against its .signatures.json, or throws ArtifactError with the
 * reason: unsigned, signature-invalid, algorithm-unsupported, algorithm-mismatch,
 * unknown-key-id, wrong-key, scope-mismatch, expired, not-yet-valid, hash-unsupported,
 * tampered, unlisted-file, missing-file.
 */
export function verifyBundleFiles(
  files: ReadonlyMap<string, Buffer>,
  source: string,
  opts: VerificationOptions,
): VerifiedSignature {
  const fail = (reason: ConstructorParameters<typeof ArtifactError>[0], problem: string): never => {
    throw new ArtifactError(reason, source, problem);
  };
  const ids = opts.publicKeys.map((k) => k.keyId).join(', ');
  const raw = files.get(SIGNATURES_FILE);
  if (!raw)
    return fail('unsigned', `it has no ${SIGNATURES_FILE}; a signature by key ${ids} is required`);
  const token = signatureToken(raw, fail);

  let jws;
  try {
    jws = decodeCompact(token);
  } catch (thrown) {
    return fail('signature-invalid', `${SIGNATURES_FILE}: ${(thrown as Error).message}`);
  }
  const alg = jws.header.alg;
  if (alg === 'none' || typeof alg !== 'string') {
    return fail(
      'algorithm-unsupported',
      `${SIGNATURES_FILE}: the JWT's alg is ${JSON.stringify(alg ?? null)}; a bundle must be signed`,
    );
  }
  if (!isSigningAlgorithm(alg)) {
    return fail(
      'algorithm-unsupported',
      `${SIGNATURES_FILE}: the JWT's alg ${alg} is not supported (use RS256, ES256, PS256, EdDSA, ...)`,
    );
  }
  const keyId = opts.keyId || str(jws.header.kid) || str(jws.payload.keyid);
  if (!keyId)
    return fail(
      'unknown-key-id',
      `${SIGNATURES_FILE}: the JWT names no key id (kid) and none is configured`,
    );
  const trusted = opts.publicKeys.find((k) => k.keyId === keyId);
  if (!trusted)
    return fail(
      'unknown-key-id',
      `${SIGNATURES_FILE}: signed by key id ${JSON.stringify(keyId)}, which is not a trusted key (${ids || 'none configured'})`,
    );
  if (trusted.algorithm !== alg) {
    return fail(
      'algorithm-mismatch',
      `${SIGNATURES_FILE}: signed with ${alg}, but key ${keyId} is configured for ${trusted.algorithm}`,
    );
  }
  const problem = verificationKeyProblem(trusted);
  if (problem) return fail('key-invalid', problem);
  const key = publicKey(trusted.key);
  if (!verifyCompact(jws, alg, key)) {
    return fail('wrong-key', `${SIGNATURES_FILE}: the signature does not verify with key ${keyId}`);
  }

  const scope = opts.scope ?? trusted.scope ?? '';
  const claimed = jws.payload.scope ?? '';
  if (claimed !== scope) {
    return fail(
      'scope-mismatch',
      `${SIGNATURES_FILE}: scope ${JSON.stringify(claimed)}, ${JSON.stringify(scope)} required`,
    );
  }
  const now = (opts.now ?? new Date()).getTime() / 1000;
  const { exp, nbf } = jws.payload;
  if (typeof exp === 'number' && now >= exp) {
    return fail(
      'expired',
      `${SIGNATURES_FILE}: the signature expired at ${new Date(exp * 1000).toISOString()}`,
    );
  }
  if (typeof nbf === 'number' && now < nbf) {
    return fail(
      'not-yet-valid',
      `${SIGNATURES_FILE}: the signature is valid from ${new Date(nbf * 1000).toISOString()}`,
    );
  }

  checkFiles(files, jws.payload.files, opts.exclude ?? [], fail);
  const claims = { ...jws.payload };
  delete claims.files;
  return { keyId, algorithm: alg, claims };
}

/**
 * Why a trusted key cannot verify anything (not a public key, or one its algorithm cannot use),
 * or undefined: check configured keys with it at start, before any bundle arrives.
 */
export function verificationKeyProblem(k: VerificationKey): string | undefined {
  if (!isSigningAlgorithm(k.algorithm)) {
    return `key ${k.keyId}: algorithm ${JSON.stringify(k.algorithm)} is not supported`;
  }
  let key;
  try {
    key = publicKey(k.key);
  } catch (thrown) {
    return `key ${k.keyId}: not a PEM public key or certificate (${(thrown as Error).message})`;
  }
  const mismatch = keyMismatch(k.algorithm, key);
  return mismatch ? `key ${k.keyId}: ${mismatch}` : undefined;
}

type Fail = (reason: ConstructorParameters<typeof ArtifactError>[0], problem: string) => never;

function signatureToken(raw: Buffer, fail: Fail): string {
  let doc: unknown;
  try {
    doc = JSON.parse(raw.toString('utf8'));
  } catch {
    return fail('signature-invalid', `${SIGNATURES_FILE} is not JSON`);
  }
  const { signatures, plugin } = (doc ?? {}) as { signatures?: unknown; plugin?: unknown };
  if (plugin !== undefined && plugin !== '' && plugin !== '_default') {
    fail(
      'signature-invalid',
      `${SIGNATURES_FILE}: signing plugin ${JSON.stringify(plugin)} is not supported`,
    );
  }
  if (!Array.isArray(signatures) || signatures.length === 0) {
    return fail('unsigned', `${SIGNATURES_FILE} holds no JWT (expected exactly one)`);
  }
  if (signatures.length > 1)
    return fail(
      'signature-invalid',
      `${SIGNATURES_FILE} holds ${signatures.length} JWTs (expected exactly one)`,
    );
  if (typeof signatures[0] !== 'string')
    return fail('signature-invalid', `${SIGNATURES_FILE}: the signature is not a string`);
  return signatures[0];
}

function checkFiles(
  files: ReadonlyMap<string, Buffer>,
  listedRaw: unknown,
  exclude: readonly string[],
  fail: Fail,
): void {
  if (!Array.isArray(listedRaw))
    return fail('signature-invalid', `${SIGNATURES_FILE}: the JWT lists no files`);
  const listed = new Map<string, { hash: string; algorithm: string }>();
  for (const f of listedRaw as unknown[]) {
    const { name, hash, algorithm } = (f ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || typeof hash !== 'string' || typeof algorithm !== 'string') {
      return fail(
        'signature-invalid',
        `${SIGNATURES_FILE}: a listed file lacks its name, hash or algorithm`,
      );
    }
    listed.set(name, { hash, algorithm });
  }
  const excluded = exclude.map(globRegExp);
  for (const [name, content] of files) {
    if (name === SIGNATURES_FILE) continue;
    if (excluded.some((re) => re.test(name))) {
      listed.delete(name);
      continue;
    }
    const entry = listed.get(name);
    if (!entry) return fail('unlisted-file', `${name} is not listed in the signature`);
    let actual: string;
    try {
      actual = opaFileHash(name, content, entry.algorithm);
    } catch (thrown) {
      const message = (thrown as Error).message;
      return fail(
        message.startsWith('unsupported') ? 'hash-unsupported' : 'tampered',
        `${name}: ${message}`,
      );
    }
    if (actual !== entry.hash.toLowerCase()) {
      return fail(
        'tampered',
        `${name}: its ${entry.algorithm} digest is ${actual}, the signature says ${entry.hash}`,
      );
    }
    listed.delete(name);
  }
  if (listed.size > 0)
    return fail(
      'missing-file',
      `${[...listed.keys()].join(', ')} listed in the signature but not in the bundle`,
    );
}

/** filepath.Match-like: `*` and `?` within one path segment. */
function globRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
