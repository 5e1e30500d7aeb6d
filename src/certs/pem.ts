// PEM certificates as the rotation logic needs them: split a bundle, read validity and names,
// check who signed what, merge bundles without duplicates or expired entries.
import { createPrivateKey, X509Certificate } from 'node:crypto';

export interface CertInfo {
  pem: string;
  fingerprint: string;
  notBefore: Date;
  notAfter: Date;
  /** DNS names and IP addresses of the subjectAltName extension. */
  hosts: string[];
  x509: X509Certificate;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** One PEM text in one form (node-forge writes CRLF line ends), so equal PEMs compare equal. */
export function normalizePem(pem: string): string {
  return `${pem.replace(/\r\n/g, '\n').trim()}\n`;
}

/** The certificates of a PEM bundle, each normalised. */
export function splitPem(bundle: string): string[] {
  return (bundle.match(PEM_BLOCK) ?? []).map(normalizePem);
}

/** Parsed certificate, or undefined when the PEM is not a certificate. */
export function certInfo(pem: string): CertInfo | undefined {
  try {
    const x509 = new X509Certificate(pem);
    return {
      pem: normalizePem(pem),
      fingerprint: x509.fingerprint256,
      notBefore: new Date(x509.validFrom),
      notAfter: new Date(x509.validTo),
      hosts: sanHosts(x509.subjectAltName),
      x509,
    };
  } catch {
    return undefined;
  }
}

function sanHosts(san: string | undefined): string[] {
  if (!san) return [];
  return san
    .split(', ')
    .map((entry) => entry.replace(/^(DNS|IP Address):/, ''))
    .filter((h) => h.length > 0);
}

/** True once `fraction` of the certificate's lifetime has passed (e.g. 2/3: time to renew). */
export function pastFraction(cert: CertInfo, fraction: number, now: Date): boolean {
  const start = cert.notBefore.getTime();
  const span = cert.notAfter.getTime() - start;
  return now.getTime() >= start + span * fraction;
}

export function isExpired(cert: CertInfo, now: Date): boolean {
  return cert.notAfter.getTime() <= now.getTime();
}

/** `leaf` was signed by `ca` (issuer name and signature both checked). */
export function signedBy(leaf: CertInfo, ca: CertInfo): boolean {
  return leaf.x509.checkIssued(ca.x509) && leaf.x509.verify(ca.x509.publicKey);
}

/** The private key in `keyPem` belongs to the certificate. */
export function keyMatches(cert: CertInfo, keyPem: string): boolean {
  try {
    return cert.x509.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

/**
 * The union of the bundles, in first-seen order, without duplicates, unparseable entries or
 * certificates expired at `now`.
 */
export function mergeBundles(bundles: string[][], now: Date): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const pem of bundles.flat()) {
    const info = certInfo(pem);
    if (!info || isExpired(info, now) || seen.has(info.fingerprint)) continue;
    seen.add(info.fingerprint);
    out.push(info.pem);
  }
  return out;
}

/** The bundles hold the same certificates (order aside). */
export function sameBundle(a: string[], b: string[]): boolean {
  const fa = new Set(a.map((p) => certInfo(p)?.fingerprint));
  const fb = new Set(b.map((p) => certInfo(p)?.fingerprint));
  return fa.size === fb.size && [...fa].every((f) => fb.has(f));
}

export function bundleContains(bundle: string[], pem: string): boolean {
  const f = certInfo(pem)?.fingerprint;
  return f !== undefined && bundle.some((p) => certInfo(p)?.fingerprint === f);
}
