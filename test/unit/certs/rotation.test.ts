// The rotation rules of tls.mode auto, with time as a parameter: years pass in microseconds.
import { planRotation, type RotationPolicy } from '../../../src/certs/rotation';
import { bundleContains, certInfo, signedBy } from '../../../src/certs/pem';
import type { TlsMaterial } from '../../../src/certs/tls-material';

const DAY = 24 * 60 * 60 * 1000;
const T0 = new Date('2030-01-01T00:00:00Z');
const at = (days: number) => new Date(T0.getTime() + days * DAY);
const policy: RotationPolicy = {
  hosts: ['palisade.palisade-system.svc', '127.0.0.1'],
  caValidityDays: 3650,
  certValidityDays: 365,
  caTrustDelaySeconds: 600,
};

const info = (pem: string | undefined) => certInfo(pem!)!;
const fresh = () => planRotation(undefined, [], policy, T0).material;

describe('a fresh Secret', () => {
  const plan = planRotation(undefined, [], policy, T0);
  const m = plan.material;

  it('gets a CA of caValidityDays and a serving certificate of certValidityDays signed by it', () => {
    const ca = info(m.ca.certPem);
    const serving = info(m.serving?.certPem);
    expect(ca.notAfter.getTime() - T0.getTime()).toBe(3650 * DAY);
    expect(serving.notAfter.getTime() - T0.getTime()).toBe(365 * DAY);
    expect(signedBy(serving, ca)).toBe(true);
    expect(serving.hosts).toEqual(policy.hosts);
  });

  it('trusts exactly that CA', () => {
    expect(m.caBundle).toEqual([m.ca.certPem]);
    expect(plan.changes).toEqual(['made a CA', 'issued a serving certificate (none yet)']);
  });
});

it('changes nothing when everything is in order', () => {
  const m = fresh();
  const again = planRotation(m, m.caBundle, policy, at(100));
  expect(again.changes).toEqual([]);
  expect(again.material).toEqual(m);
});

describe('the serving certificate', () => {
  it('is renewed two thirds through its life, by the same CA, with no caBundle change', () => {
    const m = fresh();
    expect(planRotation(m, m.caBundle, policy, at(243)).changes).toEqual([]);
    const plan = planRotation(m, m.caBundle, policy, at(244));
    expect(plan.changes).toEqual(['issued a serving certificate (two thirds through its life)']);
    expect(plan.material.ca).toEqual(m.ca);
    expect(plan.material.caBundle).toEqual(m.caBundle);
    expect(info(plan.material.serving?.certPem).notBefore.getTime()).toBeGreaterThan(T0.getTime());
  });

  it('is reissued when a host name is missing, keeping the old names too', () => {
    const m = fresh();
    const plan = planRotation(m, m.caBundle, { ...policy, hosts: ['palisade.other.svc'] }, at(1));
    expect(plan.changes).toEqual(['issued a serving certificate (missing host names)']);
    expect(info(plan.material.serving?.certPem).hosts.sort()).toEqual(
      ['palisade.other.svc', ...policy.hosts].sort(),
    );
  });

  it('is reissued when another CA signed it', () => {
    const m = fresh();
    const other = fresh();
    const plan = planRotation({ ...m, serving: other.serving }, m.caBundle, policy, at(1));
    expect(plan.changes).toEqual(['issued a serving certificate (not signed by the current CA)']);
    expect(signedBy(info(plan.material.serving?.certPem), info(m.ca.certPem))).toBe(true);
  });

  it('never outlives the CA that signs it', () => {
    const m = fresh();
    // 100 days before the CA expires (past two thirds, so a next CA is made too).
    const plan = planRotation({ ...m, serving: undefined }, m.caBundle, policy, at(3550));
    expect(info(plan.material.serving?.certPem).notAfter).toEqual(info(m.ca.certPem).notAfter);
  });
});

describe('CA rotation', () => {
  const day = 2434; // two thirds of 3650 days
  // The CA made at T0, with a serving certificate issued the day before `day`.
  const base = fresh();
  const m = planRotation(
    { ...base, serving: undefined },
    base.caBundle,
    policy,
    at(day - 1),
  ).material;

  it('starts two thirds through the CA life by adding a next CA that signs nothing yet', () => {
    expect(planRotation(m, m.caBundle, policy, at(day - 1)).changes).toEqual([]);
    const plan = planRotation(m, m.caBundle, policy, at(day));
    expect(plan.changes).toEqual([
      'the CA is two thirds through its life: added a next CA to the caBundle',
    ]);
    const next = plan.material.next!;
    expect(plan.material.ca).toEqual(m.ca);
    expect(plan.material.serving).toEqual(m.serving);
    expect(plan.material.caBundle).toEqual([m.ca.certPem, next.certPem]);
  });

  it('waits while the next CA is not in the webhook caBundle', () => {
    const started = planRotation(m, m.caBundle, policy, at(day)).material;
    const plan = planRotation(started, m.caBundle, policy, at(day + 30));
    expect(plan.changes).toEqual([]);
    expect(plan.material.ca).toEqual(m.ca);
  });

  it('promotes the next CA caTrustDelaySeconds after a replica saw it trusted', () => {
    const started = planRotation(m, m.caBundle, policy, at(day)).material;
    const t1 = at(day + 1);
    const seen = planRotation(started, started.caBundle, policy, t1);
    expect(seen.changes).toEqual(['the next CA is in the caBundle']);
    expect(seen.material.next?.trustedSince).toEqual(t1);
    expect(seen.material.ca).toEqual(m.ca);

    const early = new Date(t1.getTime() + 599_000);
    expect(planRotation(seen.material, started.caBundle, policy, early).changes).toEqual([]);

    const t2 = new Date(t1.getTime() + 600_000);
    const rotated = planRotation(seen.material, started.caBundle, policy, t2);
    expect(rotated.changes).toEqual([
      'the next CA now signs (CA rotated)',
      'issued a serving certificate (not signed by the current CA)',
    ]);
    const newCa = info(started.next?.certPem);
    expect(rotated.material.ca.certPem).toBe(started.next?.certPem);
    expect(rotated.material.next).toBeUndefined();
    expect(signedBy(info(rotated.material.serving?.certPem), newCa)).toBe(true);
    // The old CA stays trusted: replicas still serving the old certificate keep working.
    expect(rotated.material.caBundle).toEqual([m.ca.certPem, started.next?.certPem]);
  });

  it('with caTrustDelaySeconds 0, promotes on the first pass that sees it trusted', () => {
    const started = planRotation(m, m.caBundle, policy, at(day)).material;
    const plan = planRotation(
      started,
      started.caBundle,
      { ...policy, caTrustDelaySeconds: 0 },
      at(day),
    );
    expect(plan.material.ca.certPem).toBe(started.next?.certPem);
  });

  it('forgets when it saw the next CA if the caBundle lost it (a reset webhook configuration)', () => {
    const started = planRotation(m, m.caBundle, policy, at(day)).material;
    const seen = planRotation(started, started.caBundle, policy, at(day + 1)).material;
    const lost = planRotation(seen, m.caBundle, policy, at(day + 2));
    expect(lost.changes).toEqual([
      'the next CA is no longer in the caBundle: waiting for it again',
    ]);
    expect(lost.material.next?.trustedSince).toBeUndefined();
  });

  it('drops the old CA from the caBundle once it has expired', () => {
    const started = planRotation(m, m.caBundle, policy, at(day)).material;
    const rotated = planRotation(
      started,
      started.caBundle,
      { ...policy, caTrustDelaySeconds: 0 },
      at(day),
    ).material;
    const later = planRotation(rotated, rotated.caBundle, policy, at(3651));
    expect(later.material.caBundle).toEqual([rotated.ca.certPem]);
    expect(bundleContains(later.material.caBundle, m.ca.certPem)).toBe(false);
  });
});

it('makes a new CA when the stored one has expired', () => {
  const m: TlsMaterial = fresh();
  const plan = planRotation(m, m.caBundle, policy, at(3651));
  expect(plan.changes[0]).toBe('the CA had expired: made a new one');
  expect(plan.material.ca.certPem).not.toBe(m.ca.certPem);
  expect(plan.material.caBundle).toEqual([plan.material.ca.certPem]);
});
