// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it
// (k8s.io/client-go/tools/leaderelection): a candidate takes the lease when it is absent, held
// by nobody, its own, or expired; the leader renews every retryPeriod and gives up if it cannot
// renew within renewDeadline; on stop it releases the lease so another takes over at once.
// "Expired" is judged by when THIS process observed the record change (observedTime +
// leaseDuration < now), never by comparing its clock with the holder's renewTime: replicas'
// clocks may differ. Every write carries the resourceVersion read, so two candidates cannot both
// win: the second gets 409 Conflict.
import type { Logger } from 'pino';
import { LEASE_JITTER, leaseTimingProblem } from '../config/lease-timing';
import { apiReason, apiStatus } from './client';
import { leaseApi, microTime } from './lease-api';

/** The lease's spec as this file uses it; times are RFC 3339 strings (MicroTime). */
export interface LeaseRecord {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface StoredLease {
  record: LeaseRecord;
  resourceVersion: string;
}

/** One Lease object. Writes throw an error with code 409 when resourceVersion is stale. */
export interface LeaseApi {
  get(): Promise<StoredLease | null>;
  create(record: LeaseRecord): Promise<StoredLease>;
  update(record: LeaseRecord, resourceVersion: string): Promise<StoredLease>;
  /** For logs: "namespace/name". */
  readonly description: string;
}

/** Time as the elector sees it; a fake one in unit tests. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface LeaderCallbacks {
  /** Became leader; `signal` aborts when leadership is lost or stop() is called. */
  onStartedLeading(signal: AbortSignal): void;
  /** Lost leadership (no renewal within renewDeadline) or stopped while leading. */
  onStoppedLeading(): void;
  /** The observed holder changed (this replica included); '' when the lease was released. */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionOptions extends LeaderCallbacks {
  /** This candidate: the pod's name. */
  identity: string;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
  logger: Logger;
}

export class LeaderElector {
  private observed: { record: LeaseRecord; resourceVersion: string; key: string } | undefined;
  private observedTime = 0;
  private leading: AbortController | undefined;
  private stopped = false;
  private started = false;
  private timer: unknown;
  private lastHolder: string | undefined;
  /** The attempt in flight, so stop() releases only after it. */
  private inFlight: Promise<unknown> = Promise.resolve();
  private deadlineTimer: unknown;

  constructor(
    private readonly lease: LeaseApi,
    private readonly o: LeaderElectionOptions,
    private readonly clock: Clock = systemClock,
    private readonly random: () => number = Math.random,
  ) {
    const problem = leaseTimingProblem({
      durationSeconds: o.leaseDurationSeconds,
      renewDeadlineSeconds: o.renewDeadlineSeconds,
      retryPeriodSeconds: o.retryPeriodSeconds,
    });
    if (problem) throw new Error(`leader election: ${problem}`);
  }

  get isLeader(): boolean {
    return this.leading !== undefined;
  }

  /** The holder last observed ('' released, undefined not read yet). */
  get leader(): string | undefined {
    return this.lastHolder;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule(0);
  }

  /** Releases the lease if leading (so another takes over at once), then stops. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    this.clock.clearTimeout(this.deadlineTimer);
    await this.inFlight.catch(() => undefined);
    if (this.leading) {
      await this.release();
      this.stopLeading();
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.inFlight = this.tick();
    }, ms);
  }

  private jittered(): number {
    return this.o.retryPeriodSeconds * 1000 * (1 + this.random() * (LEASE_JITTER - 1));
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    let ok = false;
    try {
      ok = await this.tryAcquireOrRenew();
    } catch (err) {
      this.o.logger.warn(
        { lease: this.lease.description, reason: apiReason(err) },
        'leader election: cannot read or write the lease',
      );
    }
    if (this.stopped) return;
    if (ok) {
      if (!this.leading) this.startLeading();
      this.armRenewDeadline();
    }
    this.schedule(this.leading ? this.o.retryPeriodSeconds * 1000 : this.jittered());
  }

  // A leader that has not renewed for renewDeadline stops leading, even while a renewal hangs:
  // renewDeadline < leaseDuration, so it stops before any other replica may take the lease.
  private armRenewDeadline(): void {
    this.clock.clearTimeout(this.deadlineTimer);
    this.deadlineTimer = this.clock.setTimeout(() => {
      if (!this.leading) return;
      this.o.logger.warn(
        { lease: this.lease.description, identity: this.o.identity },
        'leader election: could not renew the lease within renewDeadline; leadership lost',
      );
      this.stopLeading();
    }, this.o.renewDeadlineSeconds * 1000);
  }

  private startLeading(): void {
    this.leading = new AbortController();
    this.o.logger.info(
      { lease: this.lease.description, identity: this.o.identity },
      'leader election: became leader',
    );
    this.callback('onStartedLeading', () => this.o.onStartedLeading(this.leading!.signal));
  }

  private stopLeading(): void {
    const leading = this.leading;
    if (!leading) return;
    this.leading = undefined;
    this.clock.clearTimeout(this.deadlineTimer);
    leading.abort();
    this.callback('onStoppedLeading', () => this.o.onStoppedLeading());
  }

  // A callback that throws must not stop the renewals (the lease would then expire under a
  // leader that still believes it leads): it is logged.
  private callback(name: string, call: () => void): void {
    try {
      call();
    } catch (err) {
      this.o.logger.error({ err, callback: name }, 'leader election: a callback threw');
    }
  }

  private observe(stored: StoredLease): void {
    const key = JSON.stringify(stored.record);
    if (this.observed?.key !== key) this.observedTime = this.clock.now();
    this.observed = { ...stored, key };
    const holder = stored.record.holderIdentity ?? '';
    if (holder !== this.lastHolder) {
      this.lastHolder = holder;
      this.callback('onNewLeader', () => this.o.onNewLeader?.(holder));
    }
  }

  /** One attempt: true when this candidate holds the lease afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = microTime(this.clock.now());
    const mine: LeaseRecord = {
      holderIdentity: this.o.identity,
      leaseDurationSeconds: this.o.leaseDurationSeconds,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };
    const current = await this.lease.get();
    if (!current) {
      return this.write(() => this.lease.create(mine));
    }
    this.observe(current);
    const old = current.record;
    const holder = old.holderIdentity ?? '';
    const duration = (old.leaseDurationSeconds ?? this.o.leaseDurationSeconds) * 1000;
    if (
      holder !== '' &&
      holder !== this.o.identity &&
      this.observedTime + duration > this.clock.now()
    ) {
      return false; // held by another, not expired as far as this process has seen
    }
    if (holder === this.o.identity) {
      mine.acquireTime = old.acquireTime;
      mine.leaseTransitions = old.leaseTransitions ?? 0;
    } else {
      mine.leaseTransitions = (old.leaseTransitions ?? 0) + 1;
    }
    return this.write(() => this.lease.update(mine, current.resourceVersion));
  }

  private async write(call: () => Promise<StoredLease>): Promise<boolean> {
    try {
      this.observe(await call());
      return true;
    } catch (err) {
      const status = apiStatus(err);
      if (status === 409) return false; // someone else wrote first
      throw err;
    }
  }

  /** client-go's release: the record emptied of its holder, duration 1 s. */
  private async release(): Promise<void> {
    const observed = this.observed;
    if (!observed || observed.record.holderIdentity !== this.o.identity) return;
    const now = microTime(this.clock.now());
    try {
      await this.lease.update(
        {
          holderIdentity: '',
          leaseDurationSeconds: 1,
          acquireTime: now,
          renewTime: now,
          leaseTransitions: observed.record.leaseTransitions ?? 0,
        },
        observed.resourceVersion,
      );
      this.o.logger.info({ lease: this.lease.description }, 'leader election: lease released');
    } catch (err) {
      this.o.logger.warn(
        { lease: this.lease.description, reason: apiReason(err) },
        'leader election: could not release the lease; another replica takes over after it expires',
      );
    }
  }
}

/** Elects over the Lease `namespace/name` through client-node; started. */
export async function electLeader(
  o: LeaderElectionOptions & { kubeconfig?: string; name: string; namespace: string },
): Promise<LeaderElector> {
  const lease = await leaseApi({ ...o, timeoutMs: o.renewDeadlineSeconds * 1000 });
  const elector = new LeaderElector(lease, o);
  elector.start();
  return elector;
}
