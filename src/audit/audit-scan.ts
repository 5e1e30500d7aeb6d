// One audit run while this replica leads: for every kind the active policies match, a
// reflector lists it page by page (audit.pageSize) and then watches it; each object is
// evaluated as admission would (object-audit.ts) and only its results are kept (result-store.ts);
// after the first full list of every kind, the reports of each changed scope are written
// (report-writer.ts), then again after each watch event that changes results, and every
// audit.intervalMinutes every kind is listed again (a full rescan, which also drops the results
// of objects deleted while a watch was down).
import type { Logger } from 'pino';
import type { SnapshotSource } from '../admission/snapshot-source';
import type { Config } from '../config/schema';
import { Reflector, resourceSource } from '../kube/reflector';
import type { KubeObject, KubeResources, ResourceInfo } from '../kube/resources';
import type { NamespaceLabels } from '../policy/match';
import { policyIndex } from '../policy/policy-index';
import { builtinKind, type KindInfo } from '../policy/source/kinds';
import { auditObject, type ObjectRef, type PolicyResult } from './object-audit';
import { buildReports } from './report-build';
import type { ReportWriter } from './report-writer';
import { CLUSTER, ResultStore } from './result-store';

/** What a run reports to metrics (main.ts hands them to src/server/metrics.ts). */
export interface AuditObserver {
  /** A full scan of every kind ended: its duration, objects evaluated, when it ended. */
  onScan?(s: { durationSeconds: number; objects: number; endedAt: Date }): void;
  /** Failing (fail or warn) results by policy and action, after each write of reports. */
  onViolations?(counts: { policy: string; action: string; count: number }[]): void;
  /** An object newly fails a deny policy (for an Event). */
  onNewDenyFailure?(ref: ObjectRef, result: PolicyResult): void;
}

export interface AuditScanDeps {
  kube: KubeResources;
  snapshots: SnapshotSource;
  /** One writer per report flavour (OpenReports, and PolicyReports when audit.policyReports). */
  writers: ReportWriter[];
  logger: Logger;
  namespaceLabels?: NamespaceLabels;
  observer?: AuditObserver;
  /** Unix seconds now (tests). */
  now?: () => number;
}

type AuditConfig = Config['audit'];

/**
 * Kinds never listed: a list of Secrets returns their data, so auditing them would need read
 * access to every Secret in the cluster (admission still checks them as they are written).
 */
export const NOT_AUDITED: ReadonlySet<string> = new Set(['Secret']);

/**
 * The kinds the active policies of the snapshot match, each once, in name order; `unknown`:
 * names not in the kinds table (custom resources: not audited yet). A `*` policy applies to
 * whatever kinds the others bring; NOT_AUDITED kinds are left out.
 */
export function auditedKinds(policies: Parameters<typeof policyIndex>[0]): {
  kinds: KindInfo[];
  unknown: string[];
} {
  const names = new Set<string>();
  for (const p of policies) {
    if (p.action === 'off') continue;
    for (const k of p.match.kinds ?? []) if (k !== '*' && !NOT_AUDITED.has(k)) names.add(k);
  }
  const kinds: KindInfo[] = [];
  const unknown: string[] = [];
  for (const n of [...names].sort()) {
    const k = builtinKind(n);
    if (k) kinds.push(k);
    else unknown.push(n);
  }
  return { kinds, unknown };
}

export class AuditScan {
  readonly store = new ResultStore();
  private readonly reflectors: { name: string; reflector: Reflector<KubeObject> }[] = [];
  private readonly listing = new Set<string>();
  /** Namespaces being deleted (deletionTimestamp set) or gone: their results are dropped. */
  private readonly ending = new Set<string>();
  private scanStarted = Date.now();
  private scanned = 0;
  private synced = false;
  private stopped = false;
  private interval: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private flushAgain = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  /**
   * audit.namespaces: only these namespaces' objects are audited (cluster-scoped kinds are
   * skipped) and only their reports touched; undefined: the whole cluster.
   */
  private readonly only: readonly string[] | undefined;
  private resolveFirst!: () => void;
  /** Resolves once the first full scan's reports are written. */
  readonly firstScan = new Promise<void>((r) => (this.resolveFirst = r));

  constructor(
    private readonly deps: AuditScanDeps,
    private readonly config: AuditConfig,
  ) {
    this.now = deps.now ?? (() => Math.floor(Date.now() / 1000));
    this.only = config.namespaces.length > 0 ? config.namespaces : undefined;
  }

  /** Resolves the kinds, starts a reflector for each, and the interval of full rescans. */
  async start(): Promise<void> {
    const { kinds, unknown } = auditedKinds(this.deps.snapshots.snapshot.policies);
    if (unknown.length > 0) {
      this.deps.logger.warn(
        { kinds: unknown },
        'audit: kinds not in the kinds table are not audited',
      );
    }
    for (const writer of this.deps.writers) await writer.load(this.only);
    for (const kind of kinds) {
      const info = await this.deps.kube.resolve(kind);
      if (!info || !info.verbs.includes('list')) {
        this.deps.logger.warn({ kind: kind.kind }, 'audit: the apiserver does not serve this kind');
        continue;
      }
      if (this.stopped) return;
      const only = this.only;
      if (!only) this.reflectors.push(this.reflector(kind, info));
      else if (info.namespaced)
        for (const ns of only) this.reflectors.push(this.reflector(kind, info, ns));
    }
    const namespaces = await this.deps.kube.resolve({
      group: '',
      version: 'v1',
      kind: 'Namespace',
    });
    if (namespaces) this.reflectors.push(this.namespaceLifecycle(namespaces));
    this.beginScan();
    for (const r of this.reflectors) r.reflector.start();
    if (this.reflectors.length === 0) void this.scanDone();
    this.interval = setInterval(() => this.rescan(), this.config.intervalMinutes * 60_000);
    this.interval.unref();
  }

  /** A full list of every kind now (also what the interval does). */
  rescan(): void {
    this.beginScan();
    for (const r of this.reflectors) r.reflector.relist();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.interval);
    clearTimeout(this.retryTimer);
    for (const r of this.reflectors) r.reflector.stop();
    await this.flushing;
  }

  private beginScan(): void {
    this.scanStarted = Date.now();
    this.scanned = 0;
    for (const r of this.reflectors) this.listing.add(r.name);
  }

  private reflector(
    kind: KindInfo,
    info: ResourceInfo,
    namespace?: string,
  ): { name: string; reflector: Reflector<KubeObject> } {
    const apiVersion = info.apiVersion;
    let seen = new Set<string>();
    const name = `${info.plural}${info.group ? `.${info.group}` : ''}${namespace ? ` in ${namespace}` : ''}`;
    const reflector: Reflector<KubeObject> = new Reflector(
      resourceSource(this.deps.kube, info, { pageSize: this.config.pageSize, namespace }),
      {
        onListStart: () => {
          seen = new Set();
        },
        onListPage: async (items) => {
          for (const o of items) {
            const uid = o.metadata?.uid;
            if (uid) seen.add(uid);
            await this.evaluate(o, kind);
            this.scanned++;
          }
        },
        onListDone: async () => {
          this.store.sweep(apiVersion, kind.kind, seen, namespace);
          seen = new Set();
          // A relist of one kind alone (410 Gone) is not the end of a scan.
          if (this.listing.delete(name) && this.listing.size === 0) await this.scanDone();
        },
        onEvent: async (type, o) => {
          if (type === 'DELETED') this.store.delete(String(o.metadata?.uid ?? ''));
          else await this.evaluate(o, kind);
          if (this.synced) this.flushSoon();
        },
        onError: (err) => this.deps.logger.debug({ err, kind: kind.kind }, 'audit: watch failed'),
      },
      this.deps.logger,
      { name, failureNote: 'results of this kind stay as they were' },
    );
    return { name, reflector };
  }

  /**
   * Namespaces as they end: once one has a deletionTimestamp (its objects are being deleted) or
   * is gone, its results are dropped and its reports deleted, and objects still listed in it
   * are not evaluated again.
   */
  private namespaceLifecycle(info: ResourceInfo): {
    name: string;
    reflector: Reflector<KubeObject>;
  } {
    const name = 'namespaces (lifecycle)';
    let listed = new Set<string>();
    const only = this.only;
    const saw = (o: KubeObject, gone: boolean) => {
      const ns = o.metadata?.name;
      if (!ns || (only && !only.includes(ns))) return;
      if (gone || o.metadata?.deletionTimestamp) {
        this.ending.add(ns);
        if (this.store.dropScope(ns) && this.synced) this.flushSoon();
      } else this.ending.delete(ns);
    };
    const reflector = new Reflector(
      resourceSource(this.deps.kube, info, { pageSize: this.config.pageSize }),
      {
        onListStart: () => {
          listed = new Set();
        },
        onListPage: (items) => {
          for (const o of items) {
            if (o.metadata?.name) listed.add(o.metadata.name);
            saw(o, false);
          }
        },
        onListDone: async () => {
          for (const ns of this.store.scopeNames()) {
            if (ns !== CLUSTER && !listed.has(ns)) {
              this.ending.add(ns);
              this.store.dropScope(ns);
            }
          }
          // A relist of one kind alone (410 Gone) is not the end of a scan.
          if (this.listing.delete(name) && this.listing.size === 0) await this.scanDone();
        },
        onEvent: (type, o) => saw(o, type === 'DELETED'),
      },
      this.deps.logger,
      { name, failureNote: 'reports of deleted namespaces stay until the next rescan' },
    );
    return { name, reflector };
  }

  private async evaluate(o: KubeObject, kind: KindInfo): Promise<void> {
    const ns = o.metadata?.namespace;
    if (kind.namespaced && ns && this.ending.has(ns)) return;
    const { namespaceLabels } = this.deps;
    const audit = await this.deps.snapshots.use((s) =>
      auditObject(o, kind, s, namespaceLabels ? { namespaceLabels } : {}),
    );
    if (!audit.ref.uid) return;
    const outcome = this.store.set(audit, this.now());
    // The first scan's failures are new too: an object that broke a deny policy before Palisade
    // ran gets its Event (the recorder rate-limits them per object).
    for (const r of outcome.newDenyFailures) this.deps.observer?.onNewDenyFailure?.(audit.ref, r);
  }

  private async scanDone(): Promise<void> {
    const durationSeconds = (Date.now() - this.scanStarted) / 1000;
    const first = !this.synced;
    this.synced = true;
    if (first) {
      // Scopes that have reports but no results now (namespaces deleted while no audit ran).
      const only = this.only;
      for (const w of this.deps.writers) {
        for (const s of w.scopes()) if (!only || only.includes(s)) this.store.markDirty(s);
      }
    }
    this.deps.observer?.onScan?.({ durationSeconds, objects: this.scanned, endedAt: new Date() });
    this.deps.logger.info(
      { objects: this.scanned, durationSeconds, scopes: this.store.scopeNames().length },
      'audit: scan complete',
    );
    this.flushSoon();
    await this.flushing;
    if (first) this.resolveFirst();
  }

  /** Writes the dirty scopes' reports; a call during a write runs one more pass after it. */
  flushSoon(): void {
    if (this.stopped) return;
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
      if (this.flushAgain) {
        this.flushAgain = false;
        this.flushSoon();
      }
    });
  }

  private async flush(): Promise<void> {
    const scopes = this.store.takeDirty();
    let failed = false;
    const total = { created: 0, replaced: 0, deleted: 0, unchanged: 0 };
    for (const scope of scopes) {
      const entries = this.store.entries(scope);
      for (const writer of this.deps.writers) {
        const reports = buildReports(
          scope,
          entries,
          this.config.maxResultsPerReport,
          writer.flavour,
        );
        try {
          const c = await writer.write(scope, reports);
          total.created += c.created;
          total.replaced += c.replaced;
          total.deleted += c.deleted;
          total.unchanged += c.unchanged;
        } catch (err) {
          failed = true;
          this.store.markDirty(scope);
          this.deps.logger.warn(
            { err, namespace: scope || undefined, flavour: writer.flavour },
            'audit: writing reports failed; retrying',
          );
          await writer.load(this.only).catch(() => undefined);
        }
      }
    }
    if (scopes.length > 0) {
      this.deps.logger.info({ scopes: scopes.length, ...total }, 'audit: reports written');
    }
    this.deps.observer?.onViolations?.([...this.store.violationCounts().values()]);
    if (failed && !this.stopped) {
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.flushSoon(), 5_000);
      this.retryTimer.unref();
    }
  }
}
