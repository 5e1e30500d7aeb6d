// JSON Web Signatures in compact form (RFC 7515), the JWT of OPA's .signatures.json, with
// node:crypto: RS256/384/512 (RSASSA-PKCS1-v1_5), PS256/384/512 (RSASSA-PSS, salt = hash length),
// ES256/384/512 (ECDSA, r||s as RFC 7518 §3.4 says) and EdDSA (Ed25519). `none` and the HMAC
// algorithms are refused: a bundle is verified with a public key, never a shared secret.
// A key must fit its algorithm (an RSA key for RS/PS, the P-256 curve for ES256, ...).
import {
  constants,
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { SIGNING_ALGORITHMS } from '../../config/schema';

export { SIGNING_ALGORITHMS };
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export function isSigningAlgorithm(alg: unknown): alg is SigningAlgorithm {
  return typeof alg === 'string' && (SIGNING_ALGORITHMS as readonly string[]).includes(alg);
}

/** A key as PEM text or bytes (PKCS#1, PKCS#8, SPKI, SEC1, or an X.509 certificate), or a KeyObject. */
export type KeyInput = string | Buffer | KeyObject;

const CURVES: Partial<Record<SigningAlgorithm, string>> = {
  ES256: 'prime256v1',
  ES384: 'secp384r1',
  ES512: 'secp521r1',
};

function digest(alg: SigningAlgorithm): string | null {
  if (alg === 'EdDSA') return null;
  return `sha${alg.slice(2)}`;
}

function options(alg: SigningAlgorithm, key: KeyObject) {
  if (alg.startsWith('PS')) {
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 };
  }
  if (alg.startsWith('ES')) return { key, dsaEncoding: 'ieee-p1363' as const };
  return { key };
}

/** Why the key cannot be used with the algorithm, or undefined when it can. */
export function keyMismatch(alg: SigningAlgorithm, key: KeyObject): string | undefined {
  const type = key.asymmetricKeyType;
  if (alg.startsWith('RS') || alg.startsWith('PS')) {
    return type === 'rsa' || (type === 'rsa-pss' && alg.startsWith('PS'))
      ? undefined
      : `${alg} needs an RSA key, not ${type ?? 'a secret'}`;
  }
  if (alg === 'EdDSA')
    return type === 'ed25519' ? undefined : `EdDSA needs an Ed25519 key, not ${type ?? 'a secret'}`;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return type === 'ec' && curve === CURVES[alg]
    ? undefined
    : `${alg} needs an EC key on ${CURVES[alg]}, not ${type === 'ec' ? `one on ${curve}` : (type ?? 'a secret')}`;
}

export function privateKey(input: KeyInput): KeyObject {
  if (typeof input === 'object' && 'type' in input && !Buffer.isBuffer(input)) return input;
  return createPrivateKey(input as string | Buffer);
}

export function publicKey(input: KeyInput): KeyObject {
  if (typeof input === 'object' && 'type' in input && !Buffer.isBuffer(input)) {
    return input.type === 'private' ? createPublicKey(input) : input;
  }
  return createPublicKey(input as string | Buffer);
}

/** A compact JWS of the payload (JSON), header {alg, kid?, typ: "JWT"} as OPA writes it. */
export function signCompact(
  payload: object,
  alg: SigningAlgorithm,
  key: KeyObject,
  keyId?: string,
): string {
  const mismatch = keyMismatch(alg, key);
  if (mismatch) throw new Error(mismatch);
  const header = { alg, ...(keyId ? { kid: keyId } : {}), typ: 'JWT' };
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
  const signature = sign(digest(alg), Buffer.from(input), options(alg, key));
  return `${input}.${signature.toString('base64url')}`;
}

export interface DecodedJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: Buffer;
  signature: Buffer;
}

/** The parts of a compact JWS, not yet verified; throws Error naming the malformed part. */
export function decodeCompact(token: string): DecodedJws {
  const parts = token.split('.');
  if (parts.length !== 3)
    throw new Error(`a JWT has 3 parts separated by ".", this one ${parts.length}`);
  const [h, p, s] = parts as [string, string, string];
  return {
    header: jsonPart(h, 'header'),
    payload: jsonPart(p, 'payload'),
    signingInput: Buffer.from(`${h}.${p}`),
    signature: Buffer.from(s, 'base64url'),
  };
}

/** Whether the signature of the decoded JWS verifies with the key under the algorithm. */
export function verifyCompact(jws: DecodedJws, alg: SigningAlgorithm, key: KeyObject): boolean {
  try {
    return verify(digest(alg), jws.signingInput, options(alg, key), jws.signature);
  } catch {
    return false; // e.g. an ECDSA signature of the wrong length
  }
}

function jsonPart(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new Error(`the JWT ${what} is not base64url-encoded JSON`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`the JWT ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
