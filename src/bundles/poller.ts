// Keeps the webhook on the newest good bundle of a remote source. Each round: one conditional
// fetch (nothing downloaded when unchanged), then verify (archive.ts), then activate (the
// runtime builds and instantiates it once and swaps it in, no request lost). A failure at any
// step keeps the bundle that serves, is reported with its stage and reason, and is not retried
// until the source changes (the same bad archive is not counted on every round). At start the
// last good archive of the cache (verified again) serves while the source is asked.
import { EventEmitter } from 'node:events';
import { describeThrown, toPalisadeError } from '../errors';
import type { Bundle } from '../policy/bundle';
import { bundleFromArchive, type Verification } from './archive';
import type { BundleCache } from './cache';
import type { BundleSource } from './source';

/** What the poller needs of the PolicyRuntime. */
export interface Activator {
  activate(bundle: Bundle): Promise<void>;
}

export type FailureStage = 'download' | 'verification' | 'activation' | 'cache';

export interface ActiveBundle {
  source: string;
  digest: string;
  revision: string;
  keyId?: string;
  /** Where it was read: the source, or the cache at start. */
  from: 'source' | 'cache';
  activatedAt: Date;
}

export interface BundleFailure {
  stage: FailureStage;
  /** A short stable word (the error's reason, else its code), for logs and a metric label. */
  reason: string;
  error: Error;
  from: 'source' | 'cache';
}

export interface PollerEvents {
  activated: [bundle: ActiveBundle];
  failed: [failure: BundleFailure];
  /** A round that found nothing new (304, the same manifest digest, the archive that serves). */
  unchanged: [];
}

export interface PollerOptions {
  runtime: Activator;
  verification: Verification;
  cache?: BundleCache;
  pollMs: number;
}

export class BundlePoller extends EventEmitter<PollerEvents> {
  private validator: string | undefined;
  /** The digest of the last archive tried (good or bad): not tried again until it changes. */
  private tried: string | undefined;
  private current: ActiveBundle | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private round: Promise<void> | undefined;

  constructor(
    readonly source: BundleSource,
    private readonly opts: PollerOptions,
  ) {
    super();
  }

  /** The bundle that serves, once one does. */
  get active(): ActiveBundle | undefined {
    return this.current;
  }

  /**
   * The first round of start(): resolved once the source was asked (a test awaits it; main.ts
   * does not when the cache already serves).
   */
  firstPoll: Promise<void> = Promise.resolve();

  /**
   * Serves the cached archive if there is one, and asks the source once: awaited when nothing
   * serves yet, in the background when the cache does (a slow or unreachable source must not
   * hold a pod that has a bundle). Then polls every pollMs.
   */
  async start(): Promise<void> {
    await this.fromCache();
    this.firstPoll = this.poll().then(() => this.schedule());
    if (!this.current) await this.firstPoll;
  }

  /** One round now (a test, or start). Never throws: failures are 'failed' events. */
  poll(): Promise<void> {
    this.round ??= this.fetchRound().finally(() => (this.round = undefined));
    return this.round;
  }

  /**
   * Lets the next round try again an archive that was refused (after a config reload: a bundle
   * refused because the config named a policy it lacks may fit the new config).
   */
  forgetRefused(): void {
    if (this.tried === this.current?.digest) return;
    this.tried = undefined;
    this.validator = undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.round;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.poll().then(() => this.schedule());
    }, this.opts.pollMs);
    this.timer.unref();
  }

  private async fromCache(): Promise<void> {
    const cache = this.opts.cache;
    if (!cache) return;
    const cached = await cache.read(this.source.name);
    if ('missing' in cached) return;
    const { bytes, meta } = cached;
    if (await this.install(bytes, meta.digest, 'cache')) this.validator = meta.validator;
  }

  private async fetchRound(): Promise<void> {
    let fetched;
    try {
      fetched = await this.source.fetch(this.validator);
    } catch (thrown) {
      this.fail('download', thrown, 'source');
      return;
    }
    if (
      fetched.unchanged ||
      fetched.digest === this.tried ||
      fetched.digest === this.current?.digest
    ) {
      if (!fetched.unchanged) this.validator = fetched.validator;
      this.emit('unchanged');
      return;
    }
    this.validator = fetched.validator;
    await this.install(fetched.bytes, fetched.digest, 'source');
  }

  /** Verifies and activates one archive; true when it serves. */
  private async install(bytes: Buffer, digest: string, from: 'source' | 'cache'): Promise<boolean> {
    // A refused cache copy says nothing of the source's archive of the same digest.
    if (from === 'source') this.tried = digest;
    const name = `${this.source.name}@${digest}`;
    let loaded;
    try {
      loaded = await bundleFromArchive(bytes, name, this.opts.verification);
    } catch (thrown) {
      this.fail('verification', thrown, from);
      return false;
    }
    try {
      await this.opts.runtime.activate(loaded.bundle);
    } catch (thrown) {
      this.fail('activation', thrown, from);
      return false;
    }
    const active: ActiveBundle = {
      source: this.source.name,
      digest,
      revision: loaded.revision,
      keyId: loaded.keyId,
      from,
      activatedAt: new Date(),
    };
    this.current = active;
    if (from === 'source') await this.save(bytes, active);
    this.emit('activated', active);
    return true;
  }

  /** Keeps the archive as the last good one; a cache that cannot be written is only reported. */
  private async save(bytes: Buffer, active: ActiveBundle): Promise<void> {
    const cache = this.opts.cache;
    if (!cache) return;
    try {
      await cache.write(bytes, {
        source: active.source,
        digest: active.digest,
        validator: this.validator,
        revision: active.revision,
        savedAt: active.activatedAt.toISOString(),
      });
    } catch (thrown) {
      this.fail(
        'cache',
        new Error(`cache ${cache.dir}: ${describeThrown(thrown)}`),
        'source',
        'cache_write',
      );
    }
  }

  private fail(
    stage: FailureStage,
    thrown: unknown,
    from: 'source' | 'cache',
    reason?: string,
  ): void {
    const error = toPalisadeError(thrown);
    const why = reason ?? (thrown as { reason?: unknown }).reason;
    this.emit('failed', {
      stage,
      reason: typeof why === 'string' ? why : error.code,
      error,
      from,
    });
  }
}
