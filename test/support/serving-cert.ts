// Serving-certificate files for the servers tests and benches start (Palisade, OPA server): a CA
// made here and a certificate for 127.0.0.1 it signs, written as key then certificate, each by
// rename so a server polling the files never reads half of one.
import { X509Certificate } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { generateCA, generateServing, type KeyPairPem } from '../../src/certs/generate';

export interface ServingFiles {
  certFile: string;
  keyFile: string;
  ca: KeyPairPem;
  /** PEM of the CA that signed it (ca.certPem). */
  caPem: string;
}

/** A new CA, valid `days` days. */
export function testCA(name: string, days = 30): KeyPairPem {
  return generateCA(name, days);
}

/** A certificate for 127.0.0.1 and localhost signed by `ca`, written in place; returns its PEM. */
export function writeServing(ca: KeyPairPem, certFile: string, keyFile: string, days = 30): string {
  const leaf = generateServing(ca, ['127.0.0.1', 'localhost'], days);
  writeFileSync(`${keyFile}.tmp`, leaf.keyPem, { mode: 0o600 });
  renameSync(`${keyFile}.tmp`, keyFile);
  writeFileSync(`${certFile}.tmp`, leaf.certPem);
  renameSync(`${certFile}.tmp`, certFile);
  return leaf.certPem;
}

/** `<name>.crt` and `<name>.key` in `dir`, signed by `ca` (default: a new one). */
export function writeServingCert(
  dir: string,
  name: string,
  ca: KeyPairPem = testCA(`palisade-${name}-ca`),
): ServingFiles {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  writeServing(ca, certFile, keyFile);
  return { certFile, keyFile, ca, caPem: ca.certPem };
}

/** SHA-256 fingerprint of a PEM certificate, as node's TLS peer certificate reports it. */
export function fingerprint(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/** The fingerprint of the certificate a server on 127.0.0.1:PORT serves on a new connection. */
export function servedFingerprint(port: number, caPem: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: caPem }, () => {
      const fp = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fp);
    });
    socket.on('error', reject);
  });
}
