// A CA and serving certificates made with node-forge (RSA 2048, SHA-256). Key generation uses
// Node's native crypto through forge, so it takes milliseconds, not seconds.
import { isIP } from 'node:net';
import forge from 'node-forge';

export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

const DAY = 24 * 60 * 60 * 1000;

export function generateCA(commonName: string, validDays: number, now = new Date()): KeyPairPem {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const cert = baseCert(keys.publicKey, commonName, validDays, now);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: forge.pki.privateKeyToPem(keys.privateKey),
  };
}

/** A serving certificate for `hosts` (DNS names or IP addresses), signed by `ca`. */
export function generateServing(
  ca: KeyPairPem,
  hosts: string[],
  validDays: number,
  now = new Date(),
): KeyPairPem {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const cert = baseCert(keys.publicKey, hosts[0] ?? 'palisade', validDays, now);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    // Names the signing CA by key, not only by subject: during a CA rotation two CAs can share
    // a subject, and OpenSSL-based clients would otherwise try the wrong one.
    {
      name: 'authorityKeyIdentifier',
      keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes(),
    },
    {
      name: 'subjectAltName',
      altNames: hosts.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })),
    },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return {
    certPem: forge.pki.certificateToPem(cert),
    keyPem: forge.pki.privateKeyToPem(keys.privateKey),
  };
}

function baseCert(publicKey: forge.pki.PublicKey, cn: string, validDays: number, now: Date) {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive, random 16-byte serial (RFC 5280 §4.1.2.2).
  cert.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(15));
  // Backdate a little: clocks of the apiserver and the webhook are never perfectly in step.
  cert.validity.notBefore = new Date(now.getTime() - 5 * 60 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + validDays * DAY);
  cert.setSubject([{ name: 'commonName', value: cn.slice(0, 64) }]);
  return cert;
}
