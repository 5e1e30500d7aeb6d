// The serving certificate: from files (reloaded on change without restart) or, when none is
// configured, a CA and certificate made at start for local use.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { generateCA, generateServing, type KeyPairPem } from '../certs/generate';
import { describeThrown, PalisadeError } from '../errors';

export interface ServingCert {
  cert: string;
  key: string;
  /** The CA to trust (the caBundle); for file-based certs, the certificate itself. */
  ca: string;
  expiresAt: Date;
  source: 'files' | 'self-signed' | 'auto';
}

export function loadCertFiles(certFile: string, keyFile: string): ServingCert {
  let cert: string;
  let key: string;
  try {
    cert = readFileSync(certFile, 'utf8');
    key = readFileSync(keyFile, 'utf8');
  } catch (thrown) {
    throw new PalisadeError('PAL_ERR_TLS_LOAD', [describeThrown(thrown)]);
  }
  return { cert, key, ca: cert, expiresAt: expiryOf(cert), source: 'files' };
}

/** A throwaway CA and a serving certificate for the given hosts, valid for a year. */
export function selfSigned(hosts: string[]): ServingCert {
  const ca: KeyPairPem = generateCA('palisade-local-ca', 365);
  const leaf = generateServing(ca, hosts, 365);
  return {
    cert: leaf.certPem,
    key: leaf.keyPem,
    ca: ca.certPem,
    expiresAt: expiryOf(leaf.certPem),
    source: 'self-signed',
  };
}

export function expiryOf(certPem: string): Date {
  try {
    return new Date(new X509Certificate(certPem).validTo);
  } catch (thrown) {
    throw new PalisadeError('PAL_ERR_TLS_LOAD', [
      `not a PEM certificate: ${describeThrown(thrown)}`,
    ]);
  }
}
