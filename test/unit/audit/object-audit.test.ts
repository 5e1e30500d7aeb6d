// The per-object evaluation on a stub snapshot: a stored object becomes a CREATE request under
// the audit's identity, and the decision one result per applicable policy (pass, fail for deny
// and audit, warn for warn, error when the evaluation fails), exemptions as in admission.
import { AUDIT_USER, auditObject, objectRef, severityOf } from '../../../src/audit/object-audit';
import { builtinKind } from '../../../src/policy/source/kinds';
import { pod } from '../../fixtures/reviews';
import { stubEvaluator, stubSnapshot } from '../../support/stub-snapshot';

const POD = builtinKind('Pod')!;
const stored = (name: string, ns = 'team-a') => {
  const p = pod(name);
  p.metadata = { ...p.metadata, namespace: ns, uid: `uid-${name}`, resourceVersion: '7' };
  return p;
};

describe('auditObject', () => {
  it('sends the object as a CREATE of the audit identity and gives one result per policy', async () => {
    const evaluator = stubEvaluator(() => [
      {
        policy: 'no-priv',
        msg: 'container app is privileged',
        path: 'spec.containers[0]',
        fix: 'drop it',
      },
      { policy: 'labels', msg: 'label team missing' },
      { policy: 'probes', msg: 'no probe' },
    ]);
    const snapshot = stubSnapshot(
      [
        { id: 'no-priv' },
        { id: 'labels', action: 'warn' },
        { id: 'probes', action: 'audit' },
        { id: 'clean' },
        { id: 'off', action: 'off' },
        { id: 'secrets', kinds: ['Secret'] },
      ],
      evaluator,
    );
    const audit = await auditObject(stored('web'), POD, snapshot);
    const input = evaluator.inputs[0]!.review;
    expect(input.operation).toBe('CREATE');
    expect(input.userInfo).toEqual({ username: AUDIT_USER, groups: ['system:authenticated'] });
    expect(input.namespace).toBe('team-a');
    expect(audit.ref).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      name: 'web',
      namespace: 'team-a',
      uid: 'uid-web',
    });
    expect(audit.results.map((r) => [r.policy, r.result, r.action])).toEqual([
      ['no-priv', 'fail', 'deny'],
      ['labels', 'warn', 'warn'],
      ['probes', 'fail', 'audit'],
      ['clean', 'pass', 'deny'],
    ]);
    expect(audit.results[0]).toMatchObject({
      message: 'container app is privileged',
      path: 'spec.containers[0]',
      fix: 'drop it',
      severity: 'medium',
    });
    expect(audit.results[1]).not.toHaveProperty('path');
    expect(audit.results[3]!.message).toBe('clean');
  });

  it('gives one fail result per violation of one policy', async () => {
    const evaluator = stubEvaluator(() => [
      { policy: 'no-priv', msg: 'a', path: 'p.a' },
      { policy: 'no-priv', msg: 'b', path: 'p.b' },
    ]);
    const audit = await auditObject(
      stored('web'),
      POD,
      stubSnapshot([{ id: 'no-priv' }], evaluator),
    );
    expect(audit.results.map((r) => [r.result, r.path])).toEqual([
      ['fail', 'p.a'],
      ['fail', 'p.b'],
    ]);
  });

  it('honours an exempt namespace as admission does: no results, the reason said', async () => {
    const evaluator = stubEvaluator(() => [{ policy: 'no-priv', msg: 'x' }]);
    const snapshot = stubSnapshot([{ id: 'no-priv' }], evaluator, {
      exemptions: { namespaces: ['kube-*'] },
    });
    const audit = await auditObject(stored('dns', 'kube-system'), POD, snapshot);
    expect(audit).toMatchObject({ exempt: 'namespace kube-system is exempt', results: [] });
    expect(evaluator.inputs).toEqual([]);
  });

  it('does not apply an exemption of one user (the object has no requester), but one covering every user', async () => {
    const one = stubSnapshot([{ id: 'no-priv' }], stubEvaluator(), {
      exemptions: { users: ['system:serviceaccount:kube-system:*'] },
    });
    expect((await auditObject(stored('web'), POD, one)).results).toHaveLength(1);
    const all = stubSnapshot([{ id: 'no-priv' }], stubEvaluator(), {
      exemptions: { groups: ['system:authenticated'] },
    });
    expect((await auditObject(stored('web'), POD, all)).exempt).toBe(
      'group system:authenticated is exempt',
    );
  });

  it('turns a failed evaluation into an error result per applicable policy', async () => {
    const evaluator = stubEvaluator(() => {
      throw new Error('wasm trap');
    });
    const snapshot = stubSnapshot([{ id: 'a' }, { id: 'b', action: 'warn' }], evaluator);
    const audit = await auditObject(stored('web'), POD, snapshot);
    expect(audit.results.map((r) => [r.policy, r.result])).toEqual([
      ['a', 'error'],
      ['b', 'error'],
    ]);
    expect(audit.results[0]!.message).toContain('wasm trap');
  });

  it('gives no results for an object no policy matches', async () => {
    const audit = await auditObject(
      stored('web'),
      POD,
      stubSnapshot([{ id: 's', kinds: ['Secret'] }], stubEvaluator()),
    );
    expect(audit.results).toEqual([]);
  });
});

describe('severityOf and objectRef', () => {
  it.each([
    ['critical', 'critical'],
    ['HIGH', 'high'],
    ['low', 'low'],
    [undefined, 'medium'],
    ['urgent', 'medium'],
  ])('severity %s → %s', (given, want) => {
    expect(severityOf(given)).toBe(want);
  });

  it('names a cluster-scoped object without a namespace and a grouped kind by group/version', () => {
    const ns = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'a', uid: 'u', namespace: 'x' },
    };
    expect(objectRef(ns, builtinKind('Namespace')!)).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      name: 'a',
      uid: 'u',
    });
    const d = { metadata: { name: 'd', namespace: 'n', uid: 'v' } };
    expect(objectRef(d, builtinKind('Deployment')!).apiVersion).toBe('apps/v1');
  });
});
