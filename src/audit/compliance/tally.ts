// Counts, object by object, which controls hold: an object counts under a control when one of
// the control's policies applied to it, and fails it when one of them found a violation (of any
// action: a warn or audit finding is still a control that does not hold). Objects are added one
// at a time and not kept (only their failures are), so a cluster listed page by page is tallied
// without holding it.
import type { ActiveAction } from '../../policy/policy-index';
import type { PolicyMeta } from '../../policy/policy-meta';
import type { ObjectAudit, PolicyResult } from '../object-audit';
import {
  CATALOGUE,
  policyControls,
  unknownFrameworks,
  type ControlRef,
  type Framework,
  type FrameworkId,
} from './catalogue';
import type {
  ComplianceReport,
  ControlReport,
  ControlStatus,
  Counts,
  Failure,
  FrameworkReport,
  ObjectRef,
  PolicyReport,
  ReportSource,
} from './report-model';
import { REPORT_API_VERSION, REPORT_KIND } from './report-model';

/** An enabled policy: its metadata with the action in force (not off). */
export type EnabledPolicy = PolicyMeta & { action: ActiveAction };

interface ControlState {
  framework: FrameworkId;
  id: string;
  policies: Set<string>;
  counts: Counts;
  failures: Failure[];
  /** Failures past maxFailures, counted but not kept. */
  omitted: number;
}

const key = (c: ControlRef) => `${c.framework}\u0000${c.id}`;
const zero = (): Counts => ({ pass: 0, fail: 0, error: 0 });

export class ComplianceTally {
  private readonly policies = new Map<string, { meta: EnabledPolicy; counts: Counts }>();
  private readonly controls = new Map<string, ControlState>();
  /** Policy id → the keys of the controls it implements. */
  private readonly controlsOf = new Map<string, string[]>();
  private readonly namespaces = new Set<string>();
  private readonly totals = { objects: 0, evaluated: 0, exempt: 0, errors: 0, failing: 0 };
  private readonly notes: string[] = [];

  /**
   * `maxFailures`: failures kept per control (the first found); past it they are only counted
   * (`failuresOmitted`), so memory and the report stay bounded whatever the number of objects.
   */
  constructor(
    private readonly enabled: readonly EnabledPolicy[],
    private readonly catalogue: readonly Framework[] = CATALOGUE,
    private readonly maxFailures = Infinity,
  ) {
    for (const meta of enabled) {
      this.policies.set(meta.id, { meta, counts: zero() });
      const refs = policyControls(meta);
      this.controlsOf.set(meta.id, refs.map(key));
      for (const ref of refs) this.control(ref).policies.add(meta.id);
      for (const f of unknownFrameworks(meta)) {
        this.notes.push(`policy ${meta.id} names controls of "${f}", a framework not catalogued`);
      }
    }
  }

  /** Adds one object's audit (auditObject: the audit's per-object evaluation); `source` is file:line. */
  add(audit: ObjectAudit, source?: string): void {
    if (audit.exempt) {
      this.totals.exempt++;
      return;
    }
    this.totals.objects++;
    if (audit.ref.namespace) this.namespaces.add(audit.ref.namespace);
    const results = audit.results.filter((r) => this.policies.has(r.policy) && r.result !== 'skip');
    if (results.length === 0) return;
    this.totals.evaluated++;
    const byPolicy = new Map<string, keyof Counts>();
    for (const r of results) byPolicy.set(r.policy, worse(byPolicy.get(r.policy), outcome(r)));
    if ([...byPolicy.values()].includes('error')) this.totals.errors++;
    if (this.count(byPolicy)) this.totals.failing++;
    const object: ObjectRef = {
      apiVersion: audit.ref.apiVersion,
      kind: audit.ref.kind,
      namespace: audit.ref.namespace ?? null,
      name: audit.ref.name,
      ...(source ? { source } : {}),
    };
    for (const r of results.filter((x) => outcome(x) === 'fail')) {
      const failure: Failure = {
        object,
        policy: r.policy,
        action: r.action,
        message: r.message,
        ...(r.path ? { path: r.path } : {}),
        ...(r.fix ? { fix: r.fix } : {}),
      };
      for (const k of this.controlsOf.get(r.policy) ?? [])
        this.keep(this.controls.get(k)!, [failure], 0);
    }
  }

  /** An empty tally of the same policies, catalogue and limit (to be merged later). */
  fork(): ComplianceTally {
    return new ComplianceTally(this.enabled, this.catalogue, this.maxFailures);
  }

  /** Adds everything `other` (a fork of this tally) counted. */
  merge(other: ComplianceTally): void {
    for (const k of Object.keys(this.totals) as (keyof typeof this.totals)[]) {
      this.totals[k] += other.totals[k];
    }
    for (const ns of other.namespaces) this.namespaces.add(ns);
    for (const [id, p] of other.policies) addCounts(this.policies.get(id)!.counts, p.counts);
    for (const [k, theirs] of other.controls) {
      const mine = this.controls.get(k)!;
      addCounts(mine.counts, theirs.counts);
      this.keep(mine, theirs.failures, theirs.omitted);
    }
  }

  private keep(state: ControlState, failures: readonly Failure[], omitted: number): void {
    const room = Math.max(0, this.maxFailures - state.failures.length);
    state.failures.push(...failures.slice(0, room));
    state.omitted += omitted + Math.max(0, failures.length - room);
  }

  /**
   * Counts one object under each policy that checked it and under each control they implement
   * (once per control, its worst result). Returns whether a control failed.
   */
  private count(byPolicy: ReadonlyMap<string, keyof Counts>): boolean {
    const worst = new Map<string, keyof Counts>();
    for (const [id, r] of byPolicy) {
      this.policies.get(id)!.counts[r]++;
      for (const k of this.controlsOf.get(id) ?? []) worst.set(k, worse(worst.get(k), r));
    }
    for (const [k, r] of worst) this.controls.get(k)!.counts[r]++;
    return [...worst.values()].includes('fail');
  }

  private control(ref: ControlRef): ControlState {
    let state = this.controls.get(key(ref));
    if (!state) {
      state = { ...ref, policies: new Set(), counts: zero(), failures: [], omitted: 0 };
      this.controls.set(key(ref), state);
    }
    return state;
  }

  report(about: {
    generatedAt: string;
    palisadeVersion: string;
    source: ReportSource;
  }): ComplianceReport {
    const frameworks = this.catalogue.map((f) => this.framework(f));
    const notes = [...this.notes];
    for (const f of frameworks) {
      for (const c of f.controls.filter((x) => !x.catalogued)) {
        notes.push(
          `${f.name}: "${c.id}" (named by ${c.policies.map((p) => p.id).join(', ')}) is not in the catalogue`,
        );
      }
    }
    return {
      apiVersion: REPORT_API_VERSION,
      kind: REPORT_KIND,
      generatedAt: about.generatedAt,
      palisadeVersion: about.palisadeVersion,
      source: about.source,
      totals: { ...this.totals },
      namespaces: [...this.namespaces].sort(),
      frameworks,
      policies: [...this.policies.values()].map(({ meta, counts }) =>
        this.policyReport(meta, counts),
      ),
      notes,
    };
  }

  private framework(f: Framework): FrameworkReport {
    const catalogued = new Set(f.controls.map((c) => c.id));
    const controls: ControlReport[] = f.controls.map((c) => ({
      ...c,
      ...this.controlResult({ framework: f.id, id: c.id }),
      catalogued: true,
    }));
    // Controls a policy names that the catalogue lacks are still reported, marked as such.
    for (const state of this.controls.values()) {
      if (state.framework !== f.id || catalogued.has(state.id)) continue;
      controls.push({
        id: state.id,
        title: state.id,
        ...this.controlResult(state),
        catalogued: false,
      });
    }
    const of = (s: ControlStatus) => controls.filter((c) => c.status === s).length;
    return {
      id: f.id,
      name: f.name,
      version: f.version,
      source: f.source,
      summary: {
        controls: controls.length,
        passing: of('pass'),
        failing: of('fail'),
        error: of('error'),
        noObjects: of('no-objects'),
        notCovered: of('not-covered'),
      },
      controls,
    };
  }

  private controlResult(
    ref: ControlRef,
  ): Pick<ControlReport, 'status' | 'policies' | 'objects' | 'failures' | 'failuresOmitted'> {
    const state = this.controls.get(key(ref));
    if (!state || state.policies.size === 0) {
      return {
        status: 'not-covered',
        policies: [],
        objects: zero(),
        failures: [],
        failuresOmitted: 0,
      };
    }
    const { counts } = state;
    const status: ControlStatus =
      counts.fail > 0
        ? 'fail'
        : counts.error > 0
          ? 'error'
          : counts.pass > 0
            ? 'pass'
            : 'no-objects';
    const policies = [...state.policies].map((id) => {
      const meta = this.policies.get(id)!.meta;
      return { id, title: meta.title, action: meta.action };
    });
    return {
      status,
      policies,
      objects: { ...counts },
      failures: [...state.failures].sort(byObject),
      failuresOmitted: state.omitted,
    };
  }

  private policyReport(meta: EnabledPolicy, counts: Counts): PolicyReport {
    return {
      id: meta.id,
      title: meta.title,
      action: meta.action,
      ...(meta.severity ? { severity: meta.severity } : {}),
      controls: policyControls(meta),
      objects: { ...counts },
    };
  }
}

const RANK: Record<keyof Counts, number> = { pass: 0, error: 1, fail: 2 };

function addCounts(to: Counts, from: Counts): void {
  to.pass += from.pass;
  to.fail += from.fail;
  to.error += from.error;
}

function worse(a: keyof Counts | undefined, b: keyof Counts): keyof Counts {
  return a && RANK[a] >= RANK[b] ? a : b;
}

/** A violation fails the control whatever its action (warn and audit findings included). */
function outcome(r: PolicyResult): keyof Counts {
  return r.result === 'pass' ? 'pass' : r.result === 'error' ? 'error' : 'fail';
}

function byObject(a: Failure, b: Failure): number {
  const ka = [a.object.namespace ?? '', a.object.kind, a.object.name, a.policy, a.path ?? ''];
  const kb = [b.object.namespace ?? '', b.object.kind, b.object.name, b.policy, b.path ?? ''];
  for (let i = 0; i < ka.length; i++) {
    if (ka[i]! < kb[i]!) return -1;
    if (ka[i]! > kb[i]!) return 1;
  }
  return 0;
}
