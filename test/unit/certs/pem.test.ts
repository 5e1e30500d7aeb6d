// PEM bundle helpers: split, merge without duplicates or expired entries, signature checks.
import { generateCA, generateServing } from '../../../src/certs/generate';
import { bundleContains, certInfo, mergeBundles, signedBy, splitPem } from '../../../src/certs/pem';

const now = new Date('2030-06-01T00:00:00Z');
const ca = generateCA('a', 30, now);
const other = generateCA('b', 30, now);
const expired = generateCA('old', 1, new Date('2030-01-01T00:00:00Z'));

it('splits a bundle and normalises line ends (node-forge writes CRLF)', () => {
  const parts = splitPem(`junk\n${ca.certPem}${other.certPem}`);
  expect(parts).toHaveLength(2);
  for (const p of parts) expect(p).not.toContain('\r');
});

it('merges without duplicates or expired certificates, keeping first-seen order', () => {
  const merged = mergeBundles(
    [
      [ca.certPem, expired.certPem],
      [other.certPem, ca.certPem],
    ],
    now,
  );
  expect(merged.map((p) => certInfo(p)?.x509.subject)).toEqual(['CN=a', 'CN=b']);
});

it('drops what does not parse', () => {
  expect(
    mergeBundles([['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n']], now),
  ).toEqual([]);
});

it('checks who signed a certificate', () => {
  const leaf = certInfo(generateServing(ca, ['x.svc'], 10, now).certPem)!;
  expect(signedBy(leaf, certInfo(ca.certPem)!)).toBe(true);
  expect(signedBy(leaf, certInfo(other.certPem)!)).toBe(false);
  expect(leaf.hosts).toEqual(['x.svc']);
});

it('finds a certificate in a bundle whatever its line ends', () => {
  expect(bundleContains(splitPem(ca.certPem), ca.certPem)).toBe(true);
  expect(bundleContains(splitPem(ca.certPem), other.certPem)).toBe(false);
});
