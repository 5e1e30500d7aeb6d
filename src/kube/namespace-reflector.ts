// Keeps a NamespaceLabelCache in step with the apiserver: one list, then watches from its
// resourceVersion. Each watch asks the apiserver to end it after a few minutes (timeoutSeconds,
// as client-go's reflector does) and is ended here too if nothing at all arrives for longer than
// that: a connection that died silently would otherwise leave the labels stale until TCP
// notices. A watch that ends is started again from the last resourceVersion seen; 410 Gone lists
// again; a failure (apiserver away, permission missing) is retried with a backoff.
import type { Logger } from 'pino';
import { apiReason } from './client';
import type { NamespaceLabelCache } from './namespace-labels';

/** The parts of a Namespace (or of a watch ERROR's Status) read here. */
export interface NamespaceObject {
  metadata?: { name?: string; labels?: Record<string, string>; resourceVersion?: string };
  code?: number;
  message?: string;
}

export interface NamespaceApi {
  list(): Promise<{ items: NamespaceObject[]; resourceVersion: string }>;
  /**
   * Starts a watch of namespaces from `resourceVersion`, ended by the apiserver after
   * `timeoutSeconds`. `onEvent` gets each event; `done` is called once when it ends (with the
   * error, if it failed). Resolves with a handle to end it early.
   */
  watch(
    resourceVersion: string,
    timeoutSeconds: number,
    onEvent: (type: string, obj: NamespaceObject) => void,
    done: (err?: unknown) => void,
  ): Promise<{ abort(): void }>;
}

export interface ReflectorOptions {
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

export class NamespaceReflector {
  private resourceVersion = '';
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private current: { abort(): void } | undefined;
  private retryMs: number;
  private lastFailure = -Infinity;
  private readonly o: Required<ReflectorOptions>;

  constructor(
    private readonly api: NamespaceApi,
    private readonly cache: NamespaceLabelCache,
    private readonly logger: Logger,
    options: ReflectorOptions = {},
  ) {
    this.o = {
      watchSeconds: 300,
      silenceGraceSeconds: 30,
      retryFirstMs: 1_000,
      retryMaxMs: 60_000,
      retryResetMs: 5 * 60_000,
      random: Math.random,
      ...options,
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

  private async cycle(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!this.resourceVersion) await this.relist();
        if (this.stopped) return;
        await this.watchOnce();
      } catch (err) {
        this.failed(err);
        return;
      }
    }
  }

  private async relist(): Promise<void> {
    const { items, resourceVersion } = await this.api.list();
    const seen = new Set<string>();
    for (const ns of items) {
      const name = ns.metadata?.name;
      if (!name) continue;
      seen.add(name);
      this.cache.put(name, ns.metadata?.labels ?? {});
    }
    for (const name of this.cache.names()) if (!seen.has(name)) this.cache.remove(name);
    this.resourceVersion = resourceVersion;
    this.logger.info({ namespaces: seen.size }, 'namespace labels: listed, watching for changes');
  }

  /** Resolves when the watch ends without a failure (timeout, silence, 410); else rejects. */
  private watchOnce(): Promise<void> {
    const { watchSeconds, silenceGraceSeconds } = this.o;
    const timeoutSeconds = watchSeconds + Math.floor(this.o.random() * watchSeconds);
    const started = Date.now();
    let events = 0;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let silence: NodeJS.Timeout | undefined;
      const finish = (err?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(silence);
        this.current?.abort();
        this.current = undefined;
        // A watch that ends at once, empty, again and again must not spin: count it a failure.
        if (!err && events === 0 && Date.now() - started < 1000) {
          err = new Error('the watch ended as soon as it started');
        }
        if (err) reject(err);
        else resolve();
      };
      const listen = () => {
        clearTimeout(silence);
        silence = setTimeout(
          () => {
            this.logger.info(
              { afterSeconds: timeoutSeconds + silenceGraceSeconds },
              'namespace watch silent past its timeout; starting it again',
            );
            finish();
          },
          (timeoutSeconds + silenceGraceSeconds) * 1000,
        );
      };
      listen();
      const onEvent = (type: string, obj: NamespaceObject) => {
        if (settled) return;
        events++;
        listen();
        const name = obj.metadata?.name;
        if (type === 'ERROR') {
          if (obj.code === 410) {
            this.resourceVersion = ''; // too old: list again
            finish();
          } else finish(new Error(`watch error ${obj.code ?? ''}: ${obj.message ?? ''}`));
          return;
        }
        if (type === 'ADDED' || type === 'MODIFIED') {
          if (name) this.cache.put(name, obj.metadata?.labels ?? {});
        } else if (type === 'DELETED') {
          if (name) this.cache.remove(name);
        }
        const rv = obj.metadata?.resourceVersion;
        if (rv) this.resourceVersion = rv;
      };
      this.api
        .watch(this.resourceVersion, timeoutSeconds, onEvent, (err) => finish(err ?? undefined))
        .then(
          (handle) => {
            if (settled) handle.abort();
            else this.current = handle;
          },
          (err: unknown) => finish(err),
        );
    });
  }

  // Backs off on failures in a row, whether the list or the watch fails (a list that succeeds
  // does not mean the watch will), and starts over after a long quiet spell.
  private failed(err: unknown): void {
    if (this.stopped) return;
    const now = Date.now();
    if (now - this.lastFailure > this.o.retryResetMs) this.retryMs = this.o.retryFirstMs;
    this.lastFailure = now;
    this.logger.warn(
      { reason: apiReason(err), retryInMs: this.retryMs },
      'namespace watch failed; looking namespaces up one by one until it is back',
    );
    this.retryTimer = setTimeout(() => void this.cycle(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, this.o.retryMaxMs);
  }
}
