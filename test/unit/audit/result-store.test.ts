// What the audit keeps between scans: per-object results by scope, a re-evaluation with the
// same results changing nothing (its timestamp kept), deny failures that are new, deleted
// objects forgotten (by a watch, or by the sweep after a full list), dirty scopes.
import type { ObjectAudit, PolicyResult } from '../../../src/audit/object-audit';
import { CLUSTER, ResultStore } from '../../../src/audit/result-store';

const r = (
  policy: string,
  result: PolicyResult['result'],
  action: PolicyResult['action'] = 'deny',
): PolicyResult => ({
  policy,
  result,
  action,
  severity: 'medium',
  message: policy,
});

const audit = (
  name: string,
  results: PolicyResult[],
  ns: string | null = 'a',
  kind = 'Pod',
): ObjectAudit => ({
  ref: { apiVersion: 'v1', kind, name, ...(ns ? { namespace: ns } : {}), uid: `u-${name}` },
  results,
});

describe('ResultStore', () => {
  it('keeps results by scope and says which scopes changed', () => {
    const s = new ResultStore();
    s.set(audit('p', [r('x', 'pass')]), 10);
    s.set(audit('n', [r('y', 'fail')], null, 'Namespace'), 10);
    expect(s.scopeNames().sort()).toEqual([CLUSTER, 'a']);
    expect(s.takeDirty().sort()).toEqual([CLUSTER, 'a']);
    expect(s.takeDirty()).toEqual([]);
    expect(s.objectCount).toBe(2);
  });

  it('changes nothing, timestamp included, when an object is evaluated again with the same results', () => {
    const s = new ResultStore();
    s.set(audit('p', [r('x', 'fail')]), 10);
    s.takeDirty();
    expect(s.set(audit('p', [r('x', 'fail')]), 20)).toEqual({
      changed: false,
      newDenyFailures: [],
    });
    expect(s.get('u-p')!.since).toBe(10);
    expect(s.takeDirty()).toEqual([]);
    expect(s.set(audit('p', [r('x', 'pass')]), 30).changed).toBe(true);
    expect(s.get('u-p')!.since).toBe(30);
    expect(s.takeDirty()).toEqual(['a']);
  });

  it('reports deny failures only when they are new', () => {
    const s = new ResultStore();
    const first = s.set(
      audit('p', [r('x', 'fail'), r('w', 'warn', 'warn'), r('au', 'fail', 'audit')]),
      1,
    );
    expect(first.newDenyFailures.map((f) => f.policy)).toEqual(['x']);
    const again = s.set(audit('p', [r('x', 'fail'), r('y', 'fail')]), 2);
    expect(again.newDenyFailures.map((f) => f.policy)).toEqual(['y']);
    s.set(audit('p', [r('x', 'pass'), r('y', 'fail')]), 3);
    expect(
      s.set(audit('p', [r('x', 'fail'), r('y', 'fail')]), 4).newDenyFailures.map((f) => f.policy),
    ).toEqual(['x']);
  });

  it('forgets a deleted object and an object that became exempt, and its scope when empty', () => {
    const s = new ResultStore();
    s.set(audit('p', [r('x', 'pass')]), 1);
    s.set(audit('q', [r('x', 'pass')], 'b'), 1);
    s.takeDirty();
    expect(s.delete('u-p')).toBe(true);
    expect(s.delete('u-p')).toBe(false);
    s.set({ ...audit('q', [], 'b'), exempt: 'namespace b is exempt' }, 2);
    expect(s.scopeNames()).toEqual([]);
    expect(s.takeDirty().sort()).toEqual(['a', 'b']);
  });

  it('sweeps the objects of one kind a full list did not return, and only those', () => {
    const s = new ResultStore();
    s.set(audit('p1', [r('x', 'pass')]), 1);
    s.set(audit('p2', [r('x', 'pass')]), 1);
    s.set(audit('d1', [r('x', 'pass')], 'a', 'Deployment'), 1);
    expect(s.sweep('v1', 'Pod', new Set(['u-p2']))).toBe(1);
    expect(s.entries('a').map((e) => e.ref.name)).toEqual(['d1', 'p2']);
  });

  it('moves an object whose namespace changed (a new uid would be a new object)', () => {
    const s = new ResultStore();
    s.set(audit('p', [r('x', 'pass')], 'a'), 1);
    s.set(audit('p', [r('x', 'pass')], 'b'), 2);
    expect(s.entries('a')).toEqual([]);
    expect(s.entries('b')).toHaveLength(1);
  });

  it('counts failing and warning results by policy and action', () => {
    const s = new ResultStore();
    s.set(audit('p', [r('x', 'fail'), r('w', 'warn', 'warn'), r('z', 'pass')]), 1);
    s.set(audit('q', [r('x', 'fail')]), 1);
    expect([...s.violationCounts().values()]).toEqual([
      { policy: 'x', action: 'deny', count: 2 },
      { policy: 'w', action: 'warn', count: 1 },
    ]);
  });
});
