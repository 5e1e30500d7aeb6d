// Decides, from what the Secret holds and what the webhook configuration trusts, what the Secret
// must hold next. Pure (time is a parameter), so every rule is tested without waiting years.
//
// Lifetimes: the CA lives caValidityDays (10 years by default), the serving certificate
// certValidityDays (1 year); each is renewed when two thirds of its life have passed.
//
// The order that keeps every handshake working (the apiserver verifies Palisade with the
// caBundle of its ValidatingWebhookConfiguration):
// 1. a new CA is first only *added* to the caBundle (TlsMaterial.next), signing nothing;
// 2. once a replica has seen it in the webhook configuration, and caTrustDelaySeconds later
//    (every apiserver reads webhook configurations through an informer), it becomes the signing
//    CA and a serving certificate signed by it is issued;
// 3. the old CA stays in the caBundle until it expires, so replicas still serving the previous
//    certificate keep working until they pick up the new one.
// A serving certificate renewed under the same CA needs no caBundle change at all.
import { generateCA, generateServing, type KeyPairPem } from './generate';
import {
  bundleContains,
  certInfo,
  isExpired,
  keyMatches,
  mergeBundles,
  normalizePem,
  pastFraction,
  sameBundle,
  signedBy,
} from './pem';
import type { TlsMaterial } from './tls-material';

export const RENEW_AT = 2 / 3;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface RotationPolicy {
  hosts: string[];
  caValidityDays: number;
  certValidityDays: number;
  caTrustDelaySeconds: number;
}

export interface Plan {
  material: TlsMaterial;
  /** What changed, in words for the log; empty when the Secret is already right. */
  changes: string[];
}

/**
 * @param current what the Secret holds (undefined: nothing usable)
 * @param trusted the CAs in the webhook configuration's caBundle right now
 */
export function planRotation(
  current: TlsMaterial | undefined,
  trusted: string[],
  policy: RotationPolicy,
  now: Date,
): Plan {
  const changes: string[] = [];
  let m: TlsMaterial;
  const ca = current && certInfo(current.ca.certPem);
  if (!current || !ca || isExpired(ca, now)) {
    m = { ca: newCa(policy, now), caBundle: current?.caBundle ?? [] };
    changes.push(current ? 'the CA had expired: made a new one' : 'made a CA');
  } else {
    m = { ...current, next: current.next && { ...current.next } };
  }

  if (m.next) {
    if (!bundleContains(trusted, m.next.certPem)) {
      if (m.next.trustedSince) {
        m.next = { certPem: m.next.certPem, keyPem: m.next.keyPem };
        changes.push('the next CA is no longer in the caBundle: waiting for it again');
      }
    } else {
      if (!m.next.trustedSince) {
        m.next.trustedSince = now;
        changes.push('the next CA is in the caBundle');
      }
      const trustedFor = now.getTime() - m.next.trustedSince.getTime();
      if (trustedFor >= policy.caTrustDelaySeconds * 1000) {
        m = { ...m, ca: { certPem: m.next.certPem, keyPem: m.next.keyPem }, next: undefined };
        changes.push('the next CA now signs (CA rotated)');
      }
    }
  } else if (pastFraction(certInfo(m.ca.certPem)!, RENEW_AT, now)) {
    m.next = newCa(policy, now);
    changes.push('the CA is two thirds through its life: added a next CA to the caBundle');
  }

  const bundle = mergeBundles([m.caBundle, [m.ca.certPem], m.next ? [m.next.certPem] : []], now);
  if (!sameBundle(bundle, m.caBundle)) {
    if (changes.length === 0) changes.push('updated the caBundle');
  }
  m.caBundle = bundle;

  const reason = servingProblem(m.serving, m.ca, policy.hosts, now);
  if (reason) {
    m.serving = issueServing(m.ca, hostsFor(m.serving, reason, policy.hosts), policy, now);
    changes.push(`issued a serving certificate (${reason})`);
  }
  return { material: m, changes };
}

function newCa(policy: RotationPolicy, now: Date): KeyPairPem {
  // A subject of its own per CA (its creation time), so old and new CA are told apart by name too.
  const name = `palisade-webhook-ca-${now.toISOString().replace(/\.\d+Z$/, 'Z')}`;
  return normalized(generateCA(name, policy.caValidityDays, now));
}

function normalized(p: KeyPairPem): KeyPairPem {
  return { certPem: normalizePem(p.certPem), keyPem: normalizePem(p.keyPem) };
}

/** Why the serving certificate must be (re)issued, or undefined if it is fine. */
function servingProblem(
  serving: KeyPairPem | undefined,
  ca: KeyPairPem,
  hosts: string[],
  now: Date,
): string | undefined {
  if (!serving) return 'none yet';
  const cert = certInfo(serving.certPem);
  const caInfo = certInfo(ca.certPem)!;
  if (!cert || !keyMatches(cert, serving.keyPem)) return 'unreadable';
  if (!signedBy(cert, caInfo)) return 'not signed by the current CA';
  if (pastFraction(cert, RENEW_AT, now)) return 'two thirds through its life';
  if (!hosts.every((h) => cert.hosts.includes(h))) return 'missing host names';
  return undefined;
}

/**
 * Only missing names: keep the old names too, so replicas still configured with them (during a
 * rolling upgrade) do not flip the certificate back and forth. Otherwise the configured names.
 */
function hostsFor(serving: KeyPairPem | undefined, reason: string, hosts: string[]): string[] {
  const old = reason === 'missing host names' && serving ? certInfo(serving.certPem)!.hosts : [];
  return [...new Set([...hosts, ...old])];
}

function issueServing(
  ca: KeyPairPem,
  hosts: string[],
  policy: RotationPolicy,
  now: Date,
): KeyPairPem {
  // Never outlive the CA that signs it.
  const caLeftDays = (certInfo(ca.certPem)!.notAfter.getTime() - now.getTime()) / DAY_MS;
  return normalized(generateServing(ca, hosts, Math.min(policy.certValidityDays, caLeftDays), now));
}
