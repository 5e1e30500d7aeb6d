// The Secret's data: what goes in comes back out; what is broken is left for the rotation to remake.
import { planRotation } from '../../../src/certs/rotation';
import { fromSecretData, SECRET_KEYS, toSecretData } from '../../../src/certs/tls-material';

const policy = {
  hosts: ['x.svc'],
  caValidityDays: 30,
  certValidityDays: 10,
  caTrustDelaySeconds: 0,
};
const material = planRotation(undefined, [], policy, new Date()).material;
const b64 = (s: string) => Buffer.from(s).toString('base64');

it('round-trips, with conventional keys for the certificate, key and CA bundle', () => {
  const data = toSecretData(material);
  expect(Object.keys(data).sort()).toEqual(
    ['ca-signer.crt', 'ca-signer.key', 'ca.crt', 'tls.crt', 'tls.key'].sort(),
  );
  expect(fromSecretData(data)).toEqual(material);
});

it('round-trips a CA rotation in progress', () => {
  const next = { ...material.ca, trustedSince: new Date('2031-02-03T04:05:06Z') };
  const data = toSecretData({ ...material, next });
  expect(data[SECRET_KEYS.nextTrustedSince]).toBe(b64('2031-02-03T04:05:06.000Z'));
  expect(fromSecretData(data)?.next).toEqual(next);
});

it('gives nothing for an empty Secret (as the chart creates it)', () => {
  expect(fromSecretData(undefined)).toBeUndefined();
  expect(fromSecretData({})).toBeUndefined();
});

it('gives nothing when the CA key does not match its certificate', () => {
  const other = planRotation(undefined, [], policy, new Date()).material;
  const data = { ...toSecretData(material), [SECRET_KEYS.caKey]: b64(other.ca.keyPem) };
  expect(fromSecretData(data)).toBeUndefined();
});

it('drops a broken serving certificate but keeps the CA', () => {
  const data = { ...toSecretData(material), [SECRET_KEYS.cert]: b64('not a certificate') };
  const read = fromSecretData(data);
  expect(read?.ca).toEqual(material.ca);
  expect(read?.serving).toBeUndefined();
});
