// A TLS handshake with a Palisade process, verified the way the apiserver verifies it: against
// a CA bundle (the webhook configuration's caBundle) and the host name it dials.
import { X509Certificate } from 'node:crypto';
import { connect, type PeerCertificate } from 'node:tls';
import { certInfo, signedBy, splitPem } from '../../../src/certs/pem';

export interface Handshake {
  cert: PeerCertificate;
  /** SHA-256 fingerprint of the CA of the bundle that signed the served certificate. */
  issuer: string;
}

export function handshake(port: number, caBundle: string): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: caBundle, servername: undefined }, () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      const leaf = certInfo(new X509Certificate(cert.raw).toString())!;
      const ca = splitPem(caBundle).find((pem) => signedBy(leaf, certInfo(pem)!));
      resolve({ cert, issuer: ca ? certInfo(ca)!.fingerprint : '?' });
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error('TLS handshake timed out')));
    socket.on('error', reject);
  });
}
