// What tls.mode auto keeps in its Secret, and how it is encoded there. The Secret is the one
// source of truth all replicas share; the keys are the conventional ones where one exists
// (tls.crt, tls.key, ca.crt) so other tools (a ServiceMonitor, the helm test) can use it.
import type { KeyPairPem } from './generate';
import { certInfo, keyMatches, normalizePem, splitPem } from './pem';

export interface NextCa extends KeyPairPem {
  /** When a replica first saw this CA in the webhook's caBundle; it signs after a delay. */
  trustedSince?: Date;
}

export interface TlsMaterial {
  /** The CA that signs serving certificates. */
  ca: KeyPairPem;
  /** A newer CA, already in the caBundle, not yet signing (CA rotation in progress). */
  next?: NextCa;
  /** The serving certificate; undefined when it must be (re)issued. */
  serving?: KeyPairPem;
  /** Every CA the apiserver must trust: the signing CA, the next one, and older unexpired ones. */
  caBundle: string[];
}

export const SECRET_KEYS = {
  cert: 'tls.crt',
  key: 'tls.key',
  caBundle: 'ca.crt',
  caCert: 'ca-signer.crt',
  caKey: 'ca-signer.key',
  nextCert: 'ca-next.crt',
  nextKey: 'ca-next.key',
  nextTrustedSince: 'ca-next-trusted-since',
} as const;

const decode = (data: Record<string, string>, key: string): string | undefined =>
  data[key] === undefined ? undefined : Buffer.from(data[key], 'base64').toString('utf8');

/** A usable key pair: a parseable certificate whose key matches. */
function pair(cert: string | undefined, key: string | undefined): KeyPairPem | undefined {
  if (!cert || !key) return undefined;
  const info = certInfo(cert);
  return info && keyMatches(info, key)
    ? { certPem: info.pem, keyPem: normalizePem(key) }
    : undefined;
}

/**
 * Reads the Secret's data. Anything missing or broken is left undefined, for the rotation to
 * remake: an empty Secret (as the chart creates it) gives no material at all.
 */
export function fromSecretData(data: Record<string, string> | undefined): TlsMaterial | undefined {
  if (!data) return undefined;
  const ca = pair(decode(data, SECRET_KEYS.caCert), decode(data, SECRET_KEYS.caKey));
  if (!ca) return undefined;
  const material: TlsMaterial = {
    ca,
    serving: pair(decode(data, SECRET_KEYS.cert), decode(data, SECRET_KEYS.key)),
    caBundle: splitPem(decode(data, SECRET_KEYS.caBundle) ?? ''),
  };
  const next = pair(decode(data, SECRET_KEYS.nextCert), decode(data, SECRET_KEYS.nextKey));
  if (next) {
    const since = decode(data, SECRET_KEYS.nextTrustedSince);
    const date = since ? new Date(since) : undefined;
    material.next = date && !Number.isNaN(date.getTime()) ? { ...next, trustedSince: date } : next;
  }
  return material;
}

export function toSecretData(m: TlsMaterial): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (key: string, value: string | undefined) => {
    if (value !== undefined) out[key] = Buffer.from(value, 'utf8').toString('base64');
  };
  put(SECRET_KEYS.caCert, m.ca.certPem);
  put(SECRET_KEYS.caKey, m.ca.keyPem);
  put(SECRET_KEYS.cert, m.serving?.certPem);
  put(SECRET_KEYS.key, m.serving?.keyPem);
  put(SECRET_KEYS.caBundle, m.caBundle.join(''));
  put(SECRET_KEYS.nextCert, m.next?.certPem);
  put(SECRET_KEYS.nextKey, m.next?.keyPem);
  put(SECRET_KEYS.nextTrustedSince, m.next?.trustedSince?.toISOString());
  return out;
}
