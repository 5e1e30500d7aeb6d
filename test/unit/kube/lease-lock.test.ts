// Leader election against an in-memory Lease store that behaves as the apiserver does for one
// object (resourceVersion bumped on every write, 409 on a stale one, 409 on a second create),
// on a fake clock: expiry, renew deadline and retries are about time, and a test must not wait
// for it. The real apiserver runs the same elector in test/e2e/kube-lease.test.ts.
import {
  LeaderElector,
  type LeaseApi,
  type LeaseRecord,
  type StoredLease,
} from '../../../src/kube/lease-lock';
import { FakeClock } from '../../support/fake-clock';
import { silentLogger } from '../../support/log-capture';

class LeaseStore {
  stored: StoredLease | null = null;
  private rv = 0;
  writes = 0;

  client(name: string, cut: { off: boolean } = { off: false }): LeaseApi & { cut: typeof cut } {
    const conflict = () => Object.assign(new Error('conflict'), { code: 409 });
    const unreachable = () => {
      if (cut.off) throw new Error(`${name}: connection refused`);
    };
    return {
      description: 'ns/lease',
      cut,
      get: async () => {
        unreachable();
        return this.stored && structuredClone(this.stored);
      },
      create: async (record) => {
        unreachable();
        if (this.stored) throw conflict();
        return this.put(record);
      },
      update: async (record, resourceVersion) => {
        unreachable();
        if (!this.stored || this.stored.resourceVersion !== resourceVersion) throw conflict();
        return this.put(record);
      },
    };
  }

  private put(record: LeaseRecord): StoredLease {
    this.writes++;
    this.stored = { record: structuredClone(record), resourceVersion: String(++this.rv) };
    return structuredClone(this.stored);
  }
}

function candidate(store: LeaseStore, clock: FakeClock, identity: string) {
  const events: string[] = [];
  let signal: AbortSignal | undefined;
  const api = store.client(identity);
  const elector = new LeaderElector(
    api,
    {
      identity,
      leaseDurationSeconds: 15,
      renewDeadlineSeconds: 10,
      retryPeriodSeconds: 2,
      logger: silentLogger,
      onStartedLeading: (s) => {
        signal = s;
        events.push('started');
      },
      onStoppedLeading: () => events.push('stopped'),
      onNewLeader: (id) => events.push(`leader:${id}`),
    },
    clock,
    () => 0, // no jitter: retries every 2 s exactly
  );
  return { elector, events, api, signal: () => signal };
}

it('takes an absent lease, then renews it every retryPeriod keeping acquireTime', async () => {
  const store = new LeaseStore();
  const clock = new FakeClock();
  const a = candidate(store, clock, 'a');
  a.elector.start();
  await clock.advance(0);
  expect(a.elector.isLeader).toBe(true);
  expect(a.events).toEqual(['leader:a', 'started']);
  const first = store.stored!.record;
  expect(first).toMatchObject({
    holderIdentity: 'a',
    leaseDurationSeconds: 15,
    leaseTransitions: 0,
  });
  expect(first.acquireTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  await clock.advance(2_000);
  const renewed = store.stored!.record;
  expect(renewed.acquireTime).toBe(first.acquireTime);
  expect(Date.parse(renewed.renewTime!) - Date.parse(first.renewTime!)).toBe(2_000);
  await clock.advance(60_000);
  expect(store.writes).toBe(32); // the create and one renewal every 2 s
  await a.elector.stop();
});

it('a second candidate waits while the leader renews, and takes over at once after a release', async () => {
  const store = new LeaseStore();
  const clock = new FakeClock();
  const a = candidate(store, clock, 'a');
  a.elector.start();
  await clock.advance(0);
  const b = candidate(store, clock, 'b');
  b.elector.start();
  await clock.advance(120_000);
  expect(b.elector.isLeader).toBe(false);
  expect(b.elector.leader).toBe('a');
  await a.elector.stop();
  expect(a.events).toEqual(['leader:a', 'started', 'stopped']);
  expect(a.signal()!.aborted).toBe(true);
  expect(store.stored!.record).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
  await clock.advance(2_000); // b's next retry
  expect(b.elector.isLeader).toBe(true);
  expect(store.stored!.record).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  await b.elector.stop();
});

it('takes over a lease whose holder stopped renewing only after leaseDuration from when it saw the last change', async () => {
  const store = new LeaseStore();
  const clock = new FakeClock();
  const t0 = clock.now();
  const a = candidate(store, clock, 'a');
  const b = candidate(store, clock, 'b');
  a.elector.start();
  await clock.advance(0); // a creates the lease at t0
  b.elector.start();
  await clock.advance(0); // b observes that record at t0
  await clock.advance(1_000);
  a.api.cut.off = true; // a can neither renew nor release: its last renewal stays t0
  // a stops leading once renewDeadline (10 s) has passed without a renewal.
  await clock.advance(t0 + 9_999 - clock.now());
  expect(a.events).toEqual(['leader:a', 'started']);
  await clock.advance(1);
  expect(a.events).toEqual(['leader:a', 'started', 'stopped']);
  expect(a.signal()!.aborted).toBe(true);
  // b may take it from t0 + 15 s; its retries fall every 2 s, so at t0 + 16 s.
  await clock.advance(t0 + 15_999 - clock.now());
  expect(b.elector.isLeader).toBe(false);
  expect(store.stored!.record.holderIdentity).toBe('a');
  await clock.advance(1);
  expect(b.elector.isLeader).toBe(true);
  expect(store.stored!.record).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  await b.elector.stop();
  await a.elector.stop();
});

it('judges expiry by its own observation, not by the holder clock in renewTime', async () => {
  const store = new LeaseStore();
  const clock = new FakeClock(Date.parse('2026-12-02T04:00:00Z'));
  // Another replica whose clock is a day behind holds the lease and keeps renewing.
  const other = store.client('other');
  const skewed = (ms: number) => new Date(ms - 86_400_000).toISOString().replace('Z', '000Z');
  let version = (
    await other.create({
      holderIdentity: 'other',
      leaseDurationSeconds: 15,
      acquireTime: skewed(clock.now()),
      renewTime: skewed(clock.now()),
      leaseTransitions: 0,
    })
  ).resourceVersion;
  const b = candidate(store, clock, 'b');
  b.elector.start();
  for (let i = 0; i < 30; i++) {
    await clock.advance(2_000);
    version = (
      await other.update({ ...store.stored!.record, renewTime: skewed(clock.now()) }, version)
    ).resourceVersion;
  }
  expect(b.elector.isLeader).toBe(false);
  await b.elector.stop();
});

it('of two candidates racing for an absent lease, exactly one wins (409 for the other)', async () => {
  const store = new LeaseStore();
  const clock = new FakeClock();
  const a = candidate(store, clock, 'a');
  const b = candidate(store, clock, 'b');
  a.elector.start();
  b.elector.start();
  await clock.advance(10_000);
  expect([a.elector.isLeader, b.elector.isLeader].sort()).toEqual([false, true]);
  await a.elector.stop();
  await b.elector.stop();
});

it('campaigns again after losing the lease, and leads again once it is free', async () => {
  const store = new LeaseStore();
  const clock = new FakeClock();
  const a = candidate(store, clock, 'a');
  a.elector.start();
  await clock.advance(0);
  a.api.cut.off = true;
  await clock.advance(10_000);
  expect(a.elector.isLeader).toBe(false);
  a.api.cut.off = false; // back: the lease still names a, so it is a's to take
  await clock.advance(2_000);
  expect(a.elector.isLeader).toBe(true);
  expect(a.events).toEqual(['leader:a', 'started', 'stopped', 'started']);
  await a.elector.stop();
});

it('keeps renewing when a callback throws', async () => {
  const store = new LeaseStore();
  const clock = new FakeClock();
  const elector = new LeaderElector(
    store.client('a'),
    {
      identity: 'a',
      leaseDurationSeconds: 15,
      renewDeadlineSeconds: 10,
      retryPeriodSeconds: 2,
      logger: silentLogger,
      onStartedLeading: () => {
        throw new Error('boom');
      },
      onStoppedLeading: () => undefined,
    },
    clock,
    () => 0,
  );
  elector.start();
  await clock.advance(20_000);
  expect(elector.isLeader).toBe(true);
  expect(store.writes).toBe(11); // the create and a renewal every 2 s
  await elector.stop();
});

it.each([
  [
    { leaseDurationSeconds: 10, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 },
    /renewDeadlineSeconds/,
  ],
  [
    { leaseDurationSeconds: 15, renewDeadlineSeconds: 2, retryPeriodSeconds: 2 },
    /retryPeriodSeconds/,
  ],
])('refuses timings that cannot keep one leader: %j', (timing, message) => {
  const store = new LeaseStore();
  expect(
    () =>
      new LeaderElector(store.client('a'), {
        identity: 'a',
        ...timing,
        logger: silentLogger,
        onStartedLeading: () => undefined,
        onStoppedLeading: () => undefined,
      }),
  ).toThrow(message);
});
