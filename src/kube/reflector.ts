// List, then watch, any kind: the loop of client-go's reflector. A full list (page by page),
// then watches from its resourceVersion. Each watch asks the apiserver to end it after a few
// minutes (timeoutSeconds) and is ended here too if nothing at all arrives for longer than that:
// a connection that died silently would otherwise leave the caller stale until TCP notices. A
// watch that ends is started again from the last resourceVersion seen (bookmarks included);
// 410 Gone lists again; a failure (apiserver away, permission missing) is retried with a backoff.
// The reflector keeps no objects: the handler gets pages and events and keeps what it needs, so
// memory stays bounded by the handler's choice, not by the cluster's size.
import type { Logger } from 'pino';
import { apiReason } from './client';
import type { KubeObject, KubeResources, ResourceInfo } from './resources';

/** The parts of an object (or of a watch ERROR's Status) read here. */
export interface ReflectedObject {
  metadata?: { resourceVersion?: string };
  code?: number;
  message?: string;
}

export interface ReflectorPage<T> {
  items: T[];
  resourceVersion: string;
  continue?: string;
}

export interface ReflectorSource<T> {
  /** One page of the list; `continueToken` is the previous page's `continue`. */
  list(continueToken?: string): Promise<ReflectorPage<T>>;
  /**
   * Starts a watch from `resourceVersion`, ended by the apiserver after `timeoutSeconds`.
   * `onEvent` gets each event; `done` is called once when it ends (with the error, if it
   * failed). Resolves with a handle to end it early.
   */
  watch(
    resourceVersion: string,
    timeoutSeconds: number,
    onEvent: (type: string, obj: T) => void,
    done: (err?: unknown) => void,
  ): Promise<{ abort(): void }>;
}

type Maybe = void | Promise<void>;

export interface ReflectorHandler<T> {
  /** A full list begins: the first one, after 410 Gone, after relist(). */
  onListStart?(): Maybe;
  /** One page; awaited before the next is asked for. */
  onListPage(items: T[]): Maybe;
  /** The list is complete: whatever the handler had and was not listed is gone. */
  onListDone(resourceVersion: string): Maybe;
  /** Watch events after the list, in order, one at a time (BOOKMARK and ERROR are not). */
  onEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): Maybe;
  /** A failure, retried with a backoff. */
  onError?(err: unknown): void;
}

export interface ReflectorOptions {
  /** For logs: "namespace", "pods". */
  name?: string;
  /** What the list logs it has listed ("namespace labels"); default `name`. */
  listed?: string;
  /** Appended to the failure warning: what the caller does meanwhile. */
  failureNote?: string;
  /** Watch length asked of the apiserver: this many seconds plus up to as many again. */
  watchSeconds?: number;
  /** How long past its timeoutSeconds a silent watch is given before it is ended here. */
  silenceGraceSeconds?: number;
  retryFirstMs?: number;
  retryMaxMs?: number;
  /** A failure this long after the previous one starts the backoff over. */
  retryResetMs?: number;
  random?: () => number;
}

/** The HTTP status of a failure: client-node's ApiException (code) or its Watch (statusCode). */
function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e.code === 'number') return e.code;
  return typeof e.statusCode === 'number' ? e.statusCode : undefined;
}

export class Reflector<T extends ReflectedObject> {
  private resourceVersion = '';
  private stopped = false;
  private relistAsked = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private current: { abort(): void } | undefined;
  private endWatch: (() => void) | undefined;
  private retryMs: number;
  private lastFailure = -Infinity;
  private readonly o: Required<ReflectorOptions>;
  private markSynced!: () => void;
  /** Resolves after the first complete list. */
  readonly synced = new Promise<void>((resolve) => (this.markSynced = resolve));

  constructor(
    private readonly source: ReflectorSource<T>,
    private readonly handler: ReflectorHandler<T>,
    private readonly logger: Logger,
    options: ReflectorOptions = {},
  ) {
    this.o = {
      failureNote: 'retrying',
      watchSeconds: 300,
      silenceGraceSeconds: 30,
      retryFirstMs: 1_000,
      retryMaxMs: 60_000,
      retryResetMs: 5 * 60_000,
      random: Math.random,
      ...options,
      name: options.name ?? 'objects',
      listed: options.listed ?? options.name ?? 'objects',
    };
    this.retryMs = this.o.retryFirstMs;
  }

  start(): void {
    void this.cycle();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.current?.abort();
  }

  /** A full list at the next chance: the running watch ends and the list starts over. */
  relist(): void {
    this.relistAsked = true;
    this.endWatch?.();
  }

  private async cycle(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!this.resourceVersion || this.relistAsked) await this.list();
        if (this.stopped) return;
        if (this.relistAsked) continue; // asked for during the list: list again now
        await this.watchOnce();
      } catch (err) {
        this.failed(err);
        return;
      }
    }
  }

  private async list(): Promise<void> {
    this.relistAsked = false;
    const h = this.handler;
    // Callbacks are awaited only when they return a promise: a synchronous handler sees the
    // list and the events without extra turns of the event loop.
    const started = h.onListStart?.();
    if (started) await started;
    let token: string | undefined;
    let count = 0;
    let page: ReflectorPage<T> | undefined;
    do {
      try {
        page = await this.source.list(token);
      } catch (err) {
        // The continue token expired (etcd compacted past it): the list starts over.
        if (token === undefined || statusOf(err) !== 410) throw err;
        this.logger.info(`${this.o.name}: list continue token expired; listing again`);
        return this.list();
      }
      if (this.stopped) return;
      count += page.items.length;
      const paged = h.onListPage(page.items);
      if (paged) await paged;
      token = page.continue;
    } while (token);
    const done = h.onListDone(page.resourceVersion);
    if (done) await done;
    this.resourceVersion = page.resourceVersion;
    this.markSynced();
    this.logger.info({ objects: count }, `${this.o.listed}: listed, watching for changes`);
  }

  /** Resolves when the watch ends without a failure (timeout, silence, 410); else rejects. */
  private watchOnce(): Promise<void> {
    const { watchSeconds, silenceGraceSeconds, name } = this.o;
    const timeoutSeconds = watchSeconds + Math.floor(this.o.random() * watchSeconds);
    const started = Date.now();
    let events = 0;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let silence: NodeJS.Timeout | undefined;
      // Events are handed over one at a time: a handler that returns a promise holds the next.
      let queue: Promise<void> | undefined;
      const finish = (err?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(silence);
        this.endWatch = undefined;
        this.current?.abort();
        this.current = undefined;
        // A watch that ends at once, empty, again and again must not spin: count it a failure.
        if (
          !err &&
          this.resourceVersion &&
          !this.relistAsked &&
          events === 0 &&
          Date.now() - started < 1000
        ) {
          err = new Error('the watch ended as soon as it started');
        }
        const end = () => (err ? reject(err) : resolve());
        if (queue) queue.then(end, end);
        else end();
      };
      this.endWatch = () => finish();
      const listen = () => {
        clearTimeout(silence);
        silence = setTimeout(
          () => {
            this.logger.info(
              { afterSeconds: timeoutSeconds + silenceGraceSeconds },
              `${name} watch silent past its timeout; starting it again`,
            );
            finish();
          },
          (timeoutSeconds + silenceGraceSeconds) * 1000,
        );
      };
      listen();
      const deliver = (type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T) => {
        const run = () => {
          try {
            const r = this.handler.onEvent(type, obj);
            return r ? r.catch((err: unknown) => this.handlerFailed(err)) : undefined;
          } catch (err) {
            this.handlerFailed(err);
          }
        };
        if (queue) queue = queue.then(run);
        else {
          const r = run();
          if (r) queue = r;
        }
      };
      const onEvent = (type: string, obj: T) => {
        if (settled) return;
        events++;
        listen();
        if (type === 'ERROR') {
          if (obj.code === 410) {
            this.resourceVersion = ''; // too old: list again
            finish();
          } else finish(new Error(`watch error ${obj.code ?? ''}: ${obj.message ?? ''}`));
          return;
        }
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') deliver(type, obj);
        const rv = obj.metadata?.resourceVersion;
        if (rv) this.resourceVersion = rv;
      };
      this.source
        .watch(this.resourceVersion, timeoutSeconds, onEvent, (err) => {
          // A watch refused with 410 (its resourceVersion compacted away): list again.
          if (err && statusOf(err) === 410) {
            this.resourceVersion = '';
            finish();
          } else finish(err ?? undefined);
        })
        .then(
          (handle) => {
            if (settled) handle.abort();
            else this.current = handle;
          },
          (err: unknown) => finish(err),
        );
    });
  }

  private handlerFailed(err: unknown): void {
    this.logger.error({ err }, `${this.o.name}: handling a watch event failed`);
  }

  // Backs off on failures in a row, whether the list or the watch fails (a list that succeeds
  // does not mean the watch will), and starts over after a long quiet spell.
  private failed(err: unknown): void {
    if (this.stopped) return;
    const now = Date.now();
    if (now - this.lastFailure > this.o.retryResetMs) this.retryMs = this.o.retryFirstMs;
    this.lastFailure = now;
    this.handler.onError?.(err);
    this.logger.warn(
      { reason: apiReason(err), retryInMs: this.retryMs },
      `${this.o.name} watch failed; ${this.o.failureNote}`,
    );
    this.retryTimer = setTimeout(() => void this.cycle(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, this.o.retryMaxMs);
  }
}

/** A kind through KubeResources as a reflector's source: pages of `pageSize` (default 500). */
export function resourceSource(
  kube: KubeResources,
  r: ResourceInfo,
  o: { namespace?: string; labelSelector?: string; pageSize?: number } = {},
): ReflectorSource<KubeObject> {
  const { namespace, labelSelector, pageSize = 500 } = o;
  return {
    list: (token) =>
      kube.listPage(r, { namespace, labelSelector, limit: pageSize, continue: token }),
    watch: (resourceVersion, timeoutSeconds, onEvent, done) =>
      kube.watch(r, { namespace, labelSelector, resourceVersion, timeoutSeconds }, onEvent, done),
  };
}
