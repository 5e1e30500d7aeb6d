// What the audit keeps between scans: per object, its reference and its results, never the
// object itself, so memory grows with the results, not with the objects' size. Grouped by
// scope (the namespace, or CLUSTER for cluster-scoped objects) so a report is built from one
// group; a scope whose results changed is marked dirty until its reports are written.
import { isDeepStrictEqual } from 'node:util';
import type { ObjectAudit, ObjectRef, PolicyResult } from './object-audit';

/** The scope of cluster-scoped objects (a ClusterReport). */
export const CLUSTER = '';

export interface StoredAudit {
  readonly ref: ObjectRef;
  readonly results: readonly PolicyResult[];
  /** When these results were first seen (Unix seconds): a re-evaluation with the same keeps it. */
  readonly since: number;
}

export interface SetOutcome {
  changed: boolean;
  /** Deny-policy failures the object did not have before (for events). */
  newDenyFailures: PolicyResult[];
}

export class ResultStore {
  private readonly scopes = new Map<string, Map<string, StoredAudit>>();
  private readonly scopeOf = new Map<string, string>();
  private readonly dirty = new Set<string>();

  /** Records the object's results at `now` (Unix seconds); an exempt object is removed. */
  set(audit: ObjectAudit, now: number): SetOutcome {
    const uid = audit.ref.uid;
    const scope = audit.ref.namespace ?? CLUSTER;
    const before = this.get(uid);
    if (audit.exempt || audit.results.length === 0) {
      const changed = this.delete(uid);
      return { changed, newDenyFailures: [] };
    }
    if (
      before &&
      this.scopeOf.get(uid) === scope &&
      isDeepStrictEqual(before.results, audit.results)
    ) {
      return { changed: false, newDenyFailures: [] };
    }
    if (before) this.delete(uid);
    let group = this.scopes.get(scope);
    if (!group) this.scopes.set(scope, (group = new Map()));
    group.set(uid, { ref: audit.ref, results: audit.results, since: now });
    this.scopeOf.set(uid, scope);
    this.dirty.add(scope);
    const failedBefore = new Set(
      (before?.results ?? []).filter(isDenyFailure).map((r) => r.policy),
    );
    const newDenyFailures = audit.results.filter(
      (r) => isDenyFailure(r) && !failedBefore.has(r.policy),
    );
    return { changed: true, newDenyFailures };
  }

  get(uid: string): StoredAudit | undefined {
    const scope = this.scopeOf.get(uid);
    return scope === undefined ? undefined : this.scopes.get(scope)?.get(uid);
  }

  /** Forgets a deleted object; true when it had results. */
  delete(uid: string): boolean {
    const scope = this.scopeOf.get(uid);
    if (scope === undefined) return false;
    const group = this.scopes.get(scope)!;
    group.delete(uid);
    if (group.size === 0) this.scopes.delete(scope);
    this.scopeOf.delete(uid);
    this.dirty.add(scope);
    return true;
  }

  /** Forgets every object of a scope (a namespace being deleted); true when it had any. */
  dropScope(scope: string): boolean {
    const group = this.scopes.get(scope);
    if (!group) return false;
    for (const uid of group.keys()) this.scopeOf.delete(uid);
    this.scopes.delete(scope);
    this.dirty.add(scope);
    return true;
  }

  /**
   * After a full list of one kind: forgets that kind's objects the list did not return (deleted
   * while no watch ran), in every scope or in `namespace` (a list of one namespace).
   */
  sweep(apiVersion: string, kind: string, seen: ReadonlySet<string>, namespace?: string): number {
    let removed = 0;
    const groups =
      namespace === undefined ? [...this.scopes.values()] : [this.scopes.get(namespace)];
    for (const group of groups) {
      if (!group) continue;
      for (const [uid, stored] of [...group]) {
        const r = stored.ref;
        if (r.apiVersion === apiVersion && r.kind === kind && !seen.has(uid)) {
          this.delete(uid);
          removed++;
        }
      }
    }
    return removed;
  }

  /** The objects of one scope, in a stable order (kind, name, uid). */
  entries(scope: string): StoredAudit[] {
    return [...(this.scopes.get(scope)?.values() ?? [])].sort(byRef);
  }

  /** Scopes that have results now. */
  scopeNames(): string[] {
    return [...this.scopes.keys()];
  }

  /** Scopes changed since the last call (including ones now empty), and clears the marks. */
  takeDirty(): string[] {
    const out = [...this.dirty];
    this.dirty.clear();
    return out;
  }

  /** Marks a scope to be written again (after a failed write). */
  markDirty(scope: string): void {
    this.dirty.add(scope);
  }

  get objectCount(): number {
    return this.scopeOf.size;
  }

  /** Failing results by policy and action, for palisade_audit_violations. */
  violationCounts(): Map<string, { policy: string; action: string; count: number }> {
    const out = new Map<string, { policy: string; action: string; count: number }>();
    for (const group of this.scopes.values()) {
      for (const stored of group.values()) {
        for (const r of stored.results) {
          if (r.result !== 'fail' && r.result !== 'warn') continue;
          const key = `${r.policy}\0${r.action}`;
          const c = out.get(key) ?? { policy: r.policy, action: r.action, count: 0 };
          c.count++;
          out.set(key, c);
        }
      }
    }
    return out;
  }
}

function isDenyFailure(r: PolicyResult): boolean {
  return r.result === 'fail' && r.action === 'deny';
}

function byRef(a: StoredAudit, b: StoredAudit): number {
  return (
    cmp(a.ref.kind, b.ref.kind) ||
    cmp(a.ref.apiVersion, b.ref.apiVersion) ||
    cmp(a.ref.name, b.ref.name) ||
    cmp(a.ref.uid, b.ref.uid)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
