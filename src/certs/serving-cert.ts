// Where the serving certificate comes from when it is not server.tls.auto (auto-tls.ts): files
// (reloaded on change without restart, by main.ts) or, when none are configured, a CA and a
// certificate made at start for local use. The server only presents what it is given.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Config } from '../config/schema';
import { describeThrown, PalisadeError } from '../errors';
import { generateCA, generateServing, type KeyPairPem } from './generate';

export interface ServingCert {
  cert: string;
  key: string;
  /** The CA to trust (the caBundle); for file-based certs, the certificate itself. */
  ca: string;
  expiresAt: Date;
  source: 'files' | 'self-signed' | 'auto';
}

/** server.tls.certFile/keyFile when set, else a self-signed certificate for the listen host. */
export function staticServingCert(server: Config['server']): ServingCert {
  const { certFile, keyFile } = server.tls;
  if (certFile && keyFile) return loadCertFiles(certFile, keyFile);
  return selfSigned(
    ['localhost', server.host, '127.0.0.1'].filter((h, i, a) => a.indexOf(h) === i),
  );
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

function expiryOf(certPem: string): Date {
  try {
    return new Date(new X509Certificate(certPem).validTo);
  } catch (thrown) {
    throw new PalisadeError('PAL_ERR_TLS_LOAD', [
      `not a PEM certificate: ${describeThrown(thrown)}`,
    ]);
  }
}
