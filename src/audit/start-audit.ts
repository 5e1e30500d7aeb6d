// Starts the background audit in a Palisade process (main.ts, when audit.enabled): one replica
// at a time, elected on a coordination.k8s.io/v1 Lease (src/kube/lease-lock.ts). The leader runs
// an AuditScan; losing the lease (or stopping) ends it; a policy reload starts a fresh scan on
// the new snapshot (the kinds and results may have changed), whose reports replace the old ones
// in place once it has listed everything.
import { existsSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { SnapshotSource } from '../admission/snapshot-source';
import type { Config } from '../config/schema';
import { apiReason } from '../kube/client';
import { eventRecorder, type EventRecorder } from '../kube/event-recorder';
import { electLeader, type LeaderElector } from '../kube/lease-lock';
import { openKubeResources, type KubeResources } from '../kube/resources';
import type { NamespaceLabels } from '../policy/match';
import { AuditScan, type AuditObserver } from './audit-scan';
import { REPORT_KINDS, type Flavour } from './report-build';
import { ReportWriter, type ReportResources } from './report-writer';

export interface AuditDeps {
  snapshots: SnapshotSource & { on(event: 'reloaded', listener: () => void): unknown };
  logger: Logger;
  namespaceLabels?: NamespaceLabels;
  observer?: AuditObserver;
}

export interface AuditHandle {
  /** The elector (tests and main.ts: isLeader, leader). */
  readonly elector: LeaderElector;
  /** The scan while this replica leads. */
  readonly scan: AuditScan | undefined;
  /** Ends the scan and releases the lease. */
  stop(): Promise<void>;
}

const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';
const RETRY_MS = 10_000;
/** Deny failures turned into Events, at most, per minute over the whole audit. */
const EVENTS_PER_MINUTE = 60;

export async function startAudit(config: Config, deps: AuditDeps): Promise<AuditHandle> {
  const { logger } = deps;
  const log = logger.child({ component: 'audit' });
  const kubeconfig = config.kubernetes.kubeconfig;
  const kube = await openKubeResources(kubeconfig);
  const identity = `${hostname()}_${randomUUID().slice(0, 8)}`;
  const events = config.audit.events
    ? await eventRecorder({
        kubeconfig,
        component: 'palisade-audit',
        instance: identity,
        logger: log,
      })
    : undefined;
  let scan: AuditScan | undefined;
  let leading: AbortSignal | undefined;
  let retry: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;

  const observer = withEvents(deps.observer, events);
  const run = async (signal: AbortSignal) => {
    clearTimeout(retry);
    const previous = scan;
    scan = undefined;
    await previous?.stop();
    if (signal.aborted) return;
    try {
      const writers = await reportWriters(kube, config.audit.policyReports);
      const next = new AuditScan(
        {
          kube,
          snapshots: deps.snapshots,
          writers,
          logger: log,
          namespaceLabels: deps.namespaceLabels,
          observer,
        },
        config.audit,
      );
      scan = next;
      await next.start();
    } catch (err) {
      log.error({ reason: apiReason(err), retryInMs: RETRY_MS }, 'audit: cannot start the scan');
      await scan?.stop();
      scan = undefined;
      retry = setTimeout(() => void (leading && !leading.aborted && run(leading)), RETRY_MS);
    }
  };

  const elector = await electLeader({
    kubeconfig,
    name: config.audit.lease.name,
    namespace: config.audit.lease.namespace ?? ownNamespace(),
    identity,
    leaseDurationSeconds: config.audit.lease.durationSeconds,
    renewDeadlineSeconds: config.audit.lease.renewDeadlineSeconds,
    retryPeriodSeconds: config.audit.lease.retryPeriodSeconds,
    logger: log,
    onStartedLeading: (signal) => {
      log.info({ identity }, 'audit: leading; scanning');
      leading = signal;
      void run(signal);
    },
    onStoppedLeading: () => {
      log.info({ identity }, 'audit: no longer leading');
      leading = undefined;
      clearTimeout(retry);
      void scan?.stop();
      scan = undefined;
    },
  });
  deps.snapshots.on('reloaded', () => {
    if (leading && !leading.aborted && !stopping) void run(leading);
  });

  return {
    elector,
    get scan() {
      return scan;
    },
    // Once, however often it is called (main.ts: at the signal and after the drain).
    stop: () =>
      (stopping ??= (async () => {
        clearTimeout(retry);
        leading = undefined;
        await scan?.stop();
        scan = undefined;
        await elector.stop();
        await events?.flush();
      })()),
  };
}

/** The report resources, resolved by discovery: a missing CRD is named. */
async function reportWriters(kube: KubeResources, policyReports: boolean): Promise<ReportWriter[]> {
  const flavours: Flavour[] = policyReports ? ['openreports', 'wgpolicy'] : ['openreports'];
  const writers: ReportWriter[] = [];
  for (const flavour of flavours) {
    const k = REPORT_KINDS[flavour];
    const resolve = async (kind: string) => {
      const info = await kube.resolve({ group: k.group, version: k.version, kind });
      if (!info) {
        throw new Error(
          `the apiserver does not serve ${kind}.${k.group}/${k.version}: install its CRD (the chart does, docs/audit.md)`,
        );
      }
      return info;
    };
    const resources: ReportResources = {
      namespaced: await resolve(k.namespaced.kind),
      cluster: await resolve(k.cluster.kind),
    };
    writers.push(new ReportWriter(kube, resources, flavour));
  }
  return writers;
}

/** In a pod, its namespace (as client-go finds it); elsewhere "default". */
function ownNamespace(): string {
  if (!existsSync(SERVICE_ACCOUNT_NAMESPACE)) return 'default';
  return readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim() || 'default';
}

/**
 * The observer, plus an Event (Warning, PolicyViolation) on each object that newly fails a
 * deny policy, at most EVENTS_PER_MINUTE over the whole audit (the recorder also limits each
 * object), so a first scan of a large, failing cluster does not flood the apiserver.
 */
function withEvents(
  observer: AuditObserver | undefined,
  events: EventRecorder | undefined,
): AuditObserver {
  if (!events) return observer ?? {};
  let windowStart = 0;
  let sent = 0;
  return {
    ...observer,
    onNewDenyFailure: (ref, result) => {
      observer?.onNewDenyFailure?.(ref, result);
      const now = Date.now();
      if (now - windowStart >= 60_000) {
        windowStart = now;
        sent = 0;
      }
      if (sent >= EVENTS_PER_MINUTE) return;
      sent++;
      const where = result.path ? ` (${result.path})` : '';
      events.record(
        ref,
        'Warning',
        'PolicyViolation',
        `${result.policy}: ${result.message}${where}`.slice(0, 1024),
      );
    },
  };
}
