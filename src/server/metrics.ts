// Prometheus metrics, in a registry of their own so each server (and each test) is isolated.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the metrics read of a pod-spec cache (src/policy/pod-spec-cache.ts has the class). */
export interface PodSpecCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly size: number;
  readonly byteSize: number;
}

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'palisade_admission_requests_total',
    help: 'Admission requests received, by operation, kind and HTTP status',
    labelNames: ['operation', 'kind', 'code'] as const,
    registers: [this.registry],
  });
  // Buckets fine below 10 ms, where a healthy webhook lives, and up to the apiserver's 30 s cap.
  readonly latency = new Histogram({
    name: 'palisade_admission_duration_seconds',
    help: 'Time to answer an admission request, from body parsed to reply built',
    labelNames: ['outcome'] as const,
    buckets: [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30],
    registers: [this.registry],
  });
  readonly decisions = new Counter({
    name: 'palisade_decisions_total',
    help: 'Admission decisions, by outcome (allow, deny, exempt, error)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly violations = new Counter({
    name: 'palisade_policy_violations_total',
    help: 'Violations found, by policy and the action taken',
    labelNames: ['policy', 'action'] as const,
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'palisade_errors_total',
    help: 'Errors, by code; evaluation errors are answered by the failure mode',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly reloads = new Counter({
    name: 'palisade_reloads_total',
    help: 'Reloads of the config, bundle and TLS certificate, by result (success, failure)',
    labelNames: ['kind', 'result'] as const,
    registers: [this.registry],
  });
  readonly namespaceLookups = new Counter({
    name: 'palisade_namespace_label_lookups_total',
    help: 'Namespace label lookups for namespaceSelector, by source (watch, get, unknown)',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
  readonly certificateExpiry = new Gauge({
    name: 'palisade_tls_certificate_expiry_timestamp_seconds',
    help: 'Expiry time of the serving certificate, as a Unix timestamp',
    registers: [this.registry],
  });

  // data.inventory (src/gatekeeper/sync.ts): the synced objects held, and those the cap refused.
  readonly inventoryObjects = new Gauge({
    name: 'palisade_inventory_objects',
    help: 'Objects held in data.inventory (synced kinds), as last handed to the evaluators',
    registers: [this.registry],
  });
  readonly inventoryDropped = new Counter({
    name: 'palisade_inventory_dropped_total',
    help: 'Objects not kept in data.inventory because gatekeeper.sync.maxObjects was reached',
    registers: [this.registry],
  });

  // A remote bundle source (src/bundles): what serves, when it came, and what was refused.
  readonly bundleInfo = new Gauge({
    name: 'palisade_bundle_info',
    help: 'The bundle that serves (value 1): its manifest revision, digest and source',
    labelNames: ['revision', 'digest', 'source'] as const,
    registers: [this.registry],
  });
  readonly bundleActivated = new Gauge({
    name: 'palisade_bundle_last_activation_timestamp_seconds',
    help: 'When the bundle that serves was activated, as a Unix timestamp',
    registers: [this.registry],
  });
  readonly bundleFailures = new Counter({
    name: 'palisade_bundle_failures_total',
    help: 'Bundles not activated, by stage (download, verification, activation, cache) and reason',
    labelNames: ['stage', 'reason'] as const,
    registers: [this.registry],
  });
  readonly bundleChecks = new Counter({
    name: 'palisade_bundle_checks_total',
    help: 'Polls of the bundle source, by result (unchanged, activated, failed)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  /** Reports `bundle` as the one that serves (palisade_bundle_info holds one series). */
  setActiveBundle(bundle: { revision: string; digest: string; source: string }, at: Date): void {
    this.bundleInfo.reset();
    // Only the gauge's labels: the caller's object may carry more (keyId, from, activatedAt).
    const { revision, digest, source } = bundle;
    this.bundleInfo.set({ revision, digest, source }, 1);
    this.bundleActivated.set(at.getTime() / 1000);
  }

  // Read at scrape time from the byte budget of /validate (server/request-scope.ts).
  private budget?: { readonly inFlight: number; readonly waiting: number };
  readonly inflightBytes: Gauge = new Gauge({
    name: 'palisade_inflight_request_bytes',
    help: 'Request bytes being decoded and evaluated now (bounded by evaluation.maxInflightMiB)',
    registers: [this.registry],
    collect: (): void => this.inflightBytes.set(this.budget?.inFlight ?? 0),
  });
  readonly budgetWaiting: Gauge = new Gauge({
    name: 'palisade_inflight_waiting_requests',
    help: 'Requests waiting for room in the in-flight byte budget',
    registers: [this.registry],
    collect: (): void => this.budgetWaiting.set(this.budget?.waiting ?? 0),
  });

  /** Reports this byte budget in palisade_inflight_request_bytes and ..._waiting_requests. */
  watchBudget(budget: { readonly inFlight: number; readonly waiting: number }): void {
    this.budget = budget;
  }

  // The pod-spec result cache of the snapshot serving now (src/policy/pod-spec-cache.ts), read
  // at scrape time through main.ts. Each snapshot has its own cache: the lookup counters add
  // what the current one counted since the last scrape, so they never go back on a reload.
  private podSpecCache?: () => PodSpecCacheStats | undefined;
  private cacheSeen?: { cache: object; hits: number; misses: number };
  readonly podSpecCacheLookups: Counter<'result'> = new Counter({
    name: 'palisade_pod_spec_cache_lookups_total',
    help: 'Pod-spec result cache lookups, by result (hit, miss)',
    labelNames: ['result'] as const,
    registers: [this.registry],
    collect: (): void => this.countCacheLookups(),
  });
  readonly podSpecCacheEntries: Gauge = new Gauge({
    name: 'palisade_pod_spec_cache_entries',
    help: 'Entries in the pod-spec result cache now (bounded by evaluation.podSpecCache)',
    registers: [this.registry],
    collect: (): void => this.podSpecCacheEntries.set(this.podSpecCache?.()?.size ?? 0),
  });
  readonly podSpecCacheBytes: Gauge = new Gauge({
    name: 'palisade_pod_spec_cache_bytes',
    help: 'Bytes the pod-spec result cache holds now (keys, template texts, violations)',
    registers: [this.registry],
    collect: (): void => this.podSpecCacheBytes.set(this.podSpecCache?.()?.byteSize ?? 0),
  });

  /** Reports the current snapshot's pod-spec cache (undefined while it has none). */
  watchPodSpecCache(read: () => PodSpecCacheStats | undefined): void {
    this.podSpecCache = read;
  }

  private countCacheLookups(): void {
    const cache = this.podSpecCache?.();
    if (!cache) return;
    const seen = this.cacheSeen?.cache === cache ? this.cacheSeen : { cache, hits: 0, misses: 0 };
    this.podSpecCacheLookups.inc({ result: 'hit' }, cache.hits - seen.hits);
    this.podSpecCacheLookups.inc({ result: 'miss' }, cache.misses - seen.misses);
    this.cacheSeen = { cache, hits: cache.hits, misses: cache.misses };
  }

  // The background audit (src/audit, docs/audit.md), from its observer (main.ts).
  readonly auditViolations = new Gauge({
    name: 'palisade_audit_violations',
    help: 'Failing audit results now (fail and warn), by policy and action',
    labelNames: ['policy', 'action'] as const,
    registers: [this.registry],
  });
  readonly auditLastRun = new Gauge({
    name: 'palisade_audit_last_run_timestamp_seconds',
    help: 'When the last full audit scan ended, as a Unix timestamp',
    registers: [this.registry],
  });
  readonly auditDuration = new Gauge({
    name: 'palisade_audit_duration_seconds',
    help: 'How long the last full audit scan took (list and evaluate every audited object)',
    registers: [this.registry],
  });
  readonly auditObjects = new Gauge({
    name: 'palisade_audit_objects_scanned',
    help: 'Objects the last full audit scan listed and evaluated',
    registers: [this.registry],
  });

  /** A full audit scan ended. */
  auditScanned(s: { durationSeconds: number; objects: number; endedAt: Date }): void {
    this.auditLastRun.set(s.endedAt.getTime() / 1000);
    this.auditDuration.set(s.durationSeconds);
    this.auditObjects.set(s.objects);
  }

  /** The audit's failing results now: one series per policy and action (others removed). */
  setAuditViolations(counts: readonly { policy: string; action: string; count: number }[]): void {
    this.auditViolations.reset();
    for (const { policy, action, count } of counts)
      this.auditViolations.set({ policy, action }, count);
  }

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics)
      collectDefaultMetrics({ register: this.registry, prefix: 'palisade_' });
  }
}
