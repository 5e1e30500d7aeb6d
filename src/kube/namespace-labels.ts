// The labels of namespaces, for match.namespaceSelector on namespaced objects. A watch on
// namespaces (namespace-watch.ts) keeps the cache current; a namespace the cache has not seen
// (the watch not yet listed, or a namespace created a moment ago) is read with one live GET, as
// the apiserver's own webhook namespace matcher does. Concurrent lookups of one namespace share
// that GET, and its answer (or failure) is kept briefly so a broken watch or a missing
// permission does not mean one GET per request. A lookup never rejects: unknown labels are
// `undefined`, and the caller then applies the policy.
import type { Logger } from 'pino';
import { apiReason } from './client';

/** A namespace's metadata.labels. */
export type Labels = Record<string, string>;

/** Reads one namespace's labels from the API; null when there is no such namespace. */
export type NamespaceGetter = (name: string) => Promise<Labels | null>;

/** Where a lookup's answer came from: the watch, a live GET, or nowhere (the GET failed). */
export type LookupSource = 'watch' | 'get' | 'unknown';

interface Found {
  labels: Labels | undefined;
  source: LookupSource;
}

export interface NamespaceLabelCacheOptions {
  logger: Logger;
  /** How long a GET's answer stands in for the watch (ms). */
  getTtlMs?: number;
  /** How long a failed GET is not retried (ms); meanwhile the labels are unknown. */
  failureTtlMs?: number;
  /** At most one warning per this many ms about failed GETs. */
  warnEveryMs?: number;
  onLookup?: (source: LookupSource) => void;
  now?: () => number;
}

export class NamespaceLabelCache {
  private readonly watched = new Map<string, Labels>();
  private readonly fetched = new Map<string, Found & { until: number }>();
  private readonly inFlight = new Map<string, Promise<Found>>();
  private readonly getTtlMs: number;
  private readonly failureTtlMs: number;
  private readonly warnEveryMs: number;
  private readonly now: () => number;
  private lastWarning = -Infinity;

  constructor(
    private readonly get: NamespaceGetter,
    private readonly opts: NamespaceLabelCacheOptions,
  ) {
    this.getTtlMs = opts.getTtlMs ?? 10_000;
    this.failureTtlMs = opts.failureTtlMs ?? 1_000;
    this.warnEveryMs = opts.warnEveryMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** The watch saw this namespace added or changed. */
  put(name: string, labels: Labels): void {
    const before = this.watched.get(name);
    this.watched.set(name, labels);
    this.fetched.delete(name);
    if (before && !sameLabels(before, labels)) {
      this.opts.logger.debug({ namespace: name, labels }, 'namespace labels changed');
    }
  }

  /** The watch saw this namespace deleted. */
  remove(name: string): void {
    this.watched.delete(name);
    this.fetched.delete(name);
  }

  /** Namespaces the watch has delivered. */
  get size(): number {
    return this.watched.size;
  }

  /** Their names. */
  names(): string[] {
    return [...this.watched.keys()];
  }

  /** The namespace's labels; undefined when they cannot be known. Never rejects. */
  lookup = async (name: string): Promise<Labels | undefined> => {
    const found = this.cached(name) ?? (await this.shared(name));
    this.opts.onLookup?.(found.source);
    return found.labels;
  };

  private cached(name: string): Found | undefined {
    const seen = this.watched.get(name);
    if (seen) return { labels: seen, source: 'watch' };
    const recent = this.fetched.get(name);
    return recent && this.now() < recent.until ? recent : undefined;
  }

  private shared(name: string): Promise<Found> {
    let pending = this.inFlight.get(name);
    if (!pending) {
      pending = this.fetch(name).finally(() => this.inFlight.delete(name));
      this.inFlight.set(name, pending);
    }
    return pending;
  }

  private async fetch(name: string): Promise<Found> {
    let found: Found;
    let ttl = this.getTtlMs;
    try {
      const labels = await this.get(name);
      found = labels ? { labels, source: 'get' } : { labels: undefined, source: 'unknown' };
      if (!labels) this.opts.logger.debug({ namespace: name }, 'namespace not found');
    } catch (err) {
      found = { labels: undefined, source: 'unknown' };
      ttl = this.failureTtlMs;
      this.warn(name, err);
    }
    // A watch event that arrived meanwhile is newer than this answer.
    const seen = this.watched.get(name);
    if (seen) return { labels: seen, source: 'watch' };
    this.fetched.set(name, { ...found, until: this.now() + ttl });
    return found;
  }

  private warn(name: string, err: unknown): void {
    const now = this.now();
    if (now - this.lastWarning < this.warnEveryMs) return;
    this.lastWarning = now;
    this.opts.logger.warn(
      { namespace: name, reason: apiReason(err) },
      'cannot read namespace labels; policies with a namespaceSelector apply to it',
    );
  }
}

function sameLabels(a: Labels, b: Labels): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
