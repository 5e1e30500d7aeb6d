// A throwaway CA and a serving certificate for 127.0.0.1, written as `<name>.crt` and
// `<name>.key` in `dir`, for the servers the bench starts (Palisade, OPA server).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCA, generateServing } from '../src/certs/generate';

export interface ServingFiles {
  certFile: string;
  keyFile: string;
  /** PEM of the CA that signed it. */
  caPem: string;
}

export function writeServingCert(dir: string, name: string): ServingFiles {
  const ca = generateCA('palisade-bench-ca', 1);
  const leaf = generateServing(ca, ['127.0.0.1'], 1);
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  writeFileSync(certFile, leaf.certPem);
  writeFileSync(keyFile, leaf.keyPem, { mode: 0o600 });
  return { certFile, keyFile, caPem: ca.certPem };
}
