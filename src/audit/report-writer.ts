// Writes a scope's reports to the cluster, in place: a report whose content is what was last
// written is not written again (no churn, no resourceVersion bump, no watch event for report
// readers); a changed one is replaced under its resourceVersion; parts no longer needed are
// deleted. What was written is remembered by name with a digest of its content, seeded at start
// from the reports already in the cluster (labelled app.kubernetes.io/managed-by=palisade), so
// a restart rewrites nothing that did not change and deletes reports of scopes now gone.
import { createHash } from 'node:crypto';
import type { KubeObject, KubeResources, ResourceInfo } from '../kube/resources';
import { MANAGED_BY, type Flavour, type ReportObject } from './report-build';
import { CLUSTER } from './result-store';

/** The calls the writer makes (src/kube/resources.ts). */
export type ReportApi = Pick<KubeResources, 'listAll' | 'create' | 'replace' | 'delete'>;

/** A flavour's two report resources, as discovery resolved them. */
export interface ReportResources {
  namespaced: ResourceInfo;
  cluster: ResourceInfo;
}

const FIELD_MANAGER = 'palisade-audit';

interface Written {
  resourceVersion: string;
  digest: string;
}

export interface WriteCounts {
  created: number;
  replaced: number;
  deleted: number;
  unchanged: number;
}

export class ReportWriter {
  /** scope → name → what is there. */
  private readonly written = new Map<string, Map<string, Written>>();

  constructor(
    private readonly api: ReportApi,
    private readonly resources: ReportResources,
    readonly flavour: Flavour = 'openreports',
    /** Reports per list page: a report may be ~1 MiB, so pages stay small. */
    private readonly pageSize = 10,
  ) {}

  private res(scope: string): ResourceInfo {
    return scope === CLUSTER ? this.resources.cluster : this.resources.namespaced;
  }

  /** Learns the reports Palisade wrote before (this process or an earlier leader). */
  async load(namespaces?: readonly string[]): Promise<void> {
    this.written.clear();
    const labelSelector = Object.entries(MANAGED_BY)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    // audit.namespaces: only those namespaces' reports (and no ClusterReport) are Palisade's to
    // keep; reading every report in the cluster would also cost memory for nothing.
    const lists: { res: ResourceInfo; namespace?: string }[] = namespaces
      ? namespaces.map((namespace) => ({ res: this.resources.namespaced, namespace }))
      : [{ res: this.resources.cluster }, { res: this.resources.namespaced }];
    for (const { res, namespace } of lists) {
      await this.api.listAll(res, {
        ...(namespace ? { namespace } : {}),
        limit: this.pageSize,
        labelSelector,
        onRestart: () => {
          if (namespace) this.written.delete(namespace);
          else this.written.clear();
        },
        onPage: (items) => {
          for (const o of items) {
            const md = o.metadata ?? {};
            const scope = res.namespaced ? String(md.namespace ?? '') : CLUSTER;
            this.remember(scope, String(md.name), {
              resourceVersion: String(md.resourceVersion ?? ''),
              digest: digest(o as unknown as ReportObject),
            });
          }
        },
      });
    }
  }

  /** Scopes that have reports in the cluster now. */
  scopes(): string[] {
    return [...this.written.keys()];
  }

  /** Makes the cluster hold exactly `reports` for `scope` (none: its reports are deleted). */
  async write(scope: string, reports: readonly ReportObject[]): Promise<WriteCounts> {
    const res = this.res(scope);
    const counts: WriteCounts = { created: 0, replaced: 0, deleted: 0, unchanged: 0 };
    const had = this.written.get(scope) ?? new Map<string, Written>();
    const wanted = new Set<string>();
    for (const report of reports) {
      const name = report.metadata.name;
      wanted.add(name);
      const d = digest(report);
      const before = had.get(name);
      if (before?.digest === d) {
        counts.unchanged++;
        continue;
      }
      const body = report as unknown as KubeObject;
      const stored = before
        ? await this.api.replace(res, withVersion(body, before.resourceVersion))
        : await this.api.create(res, body, { fieldManager: FIELD_MANAGER });
      this.remember(scope, name, {
        resourceVersion: String(stored.metadata?.resourceVersion ?? ''),
        digest: d,
      });
      if (before) counts.replaced++;
      else counts.created++;
    }
    for (const name of [...had.keys()]) {
      if (wanted.has(name)) continue;
      await this.api.delete(res, name, scope === CLUSTER ? undefined : scope);
      this.forget(scope, name);
      counts.deleted++;
    }
    return counts;
  }

  private remember(scope: string, name: string, w: Written): void {
    let m = this.written.get(scope);
    if (!m) this.written.set(scope, (m = new Map()));
    m.set(name, w);
  }

  private forget(scope: string, name: string): void {
    const m = this.written.get(scope);
    m?.delete(name);
    if (m && m.size === 0) this.written.delete(scope);
  }
}

function withVersion(body: KubeObject, resourceVersion: string): KubeObject {
  return { ...body, metadata: { ...body.metadata, resourceVersion } };
}

/**
 * What a report says (not its server-set metadata), hashed over a key-sorted encoding: the
 * apiserver stores custom objects as maps, so it hands them back with their keys sorted. The
 * results' timestamps are left out: a restarted audit sees every result anew, and a report
 * that differs only in when its results were first seen is not worth rewriting (the cluster's
 * copy keeps the earlier times).
 */
function digest(
  r: Pick<ReportObject, 'summary' | 'results' | 'source'> & { metadata?: unknown },
): string {
  const labels = (r.metadata as { labels?: unknown } | undefined)?.labels ?? {};
  const results = (r.results ?? []).map((x) => ({ ...x, timestamp: undefined }));
  const content = canonical([r.source, r.summary, results, labels]);
  return createHash('sha256').update(content).digest('hex');
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    const o = v as Record<string, unknown>;
    return `{${keys
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}
