import type { KubeObject } from '../../../../src/policy/request';
import { resolveKind } from '../../../../src/policy/source/kinds';
import {
  DEFAULT_NAMESPACE,
  manifestRequest,
  type RequestOptions,
} from '../../../../src/policy/source/manifest-request';

const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: {} };
const kindOf = (o: KubeObject) => resolveKind(String(o.apiVersion), String(o.kind), new Map());
const opts = (extra: Partial<RequestOptions> = {}): RequestOptions => ({
  operation: 'CREATE',
  username: 'alice',
  groups: ['dev'],
  uid: 'u-1',
  ...extra,
});

describe('manifestRequest', () => {
  it('builds the CREATE request the apiserver sends, the namespace filled in', () => {
    expect(manifestRequest(pod, kindOf(pod), opts())).toEqual({
      uid: 'u-1',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      requestKind: { group: '', version: 'v1', kind: 'Pod' },
      requestResource: { group: '', version: 'v1', resource: 'pods' },
      name: 'web',
      namespace: DEFAULT_NAMESPACE,
      operation: 'CREATE',
      userInfo: { username: 'alice', groups: ['dev', 'system:authenticated'] },
      object: { ...pod, metadata: { name: 'web', namespace: 'default' } },
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    });
  });

  it('sends old as oldObject of an UPDATE, the object itself without one', () => {
    const old = { ...pod, spec: { old: true } };
    const withOld = manifestRequest(pod, kindOf(pod), opts({ operation: 'UPDATE', old }));
    expect(withOld.oldObject).toEqual({ ...old, metadata: { name: 'web', namespace: 'default' } });
    const noOp = manifestRequest(pod, kindOf(pod), opts({ operation: 'UPDATE' }));
    expect(noOp.oldObject).toEqual(noOp.object);
  });

  it('sends a DELETE with object null and the object as oldObject', () => {
    const del = manifestRequest(pod, kindOf(pod), opts({ operation: 'DELETE' }));
    expect(del.object).toBeNull();
    expect(del.oldObject).toMatchObject({ metadata: { name: 'web' } });
  });

  it('gives a cluster-scoped object no namespace, a Namespace its own name once it exists', () => {
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } };
    expect(manifestRequest(ns, kindOf(ns), opts({ namespace: 'x' }))).not.toHaveProperty(
      'namespace',
    );
    expect(manifestRequest(ns, kindOf(ns), opts({ operation: 'UPDATE' })).namespace).toBe('team');
  });

  it('refuses an object whose namespace contradicts --namespace, as kubectl does', () => {
    const inA = { ...pod, metadata: { name: 'web', namespace: 'a' } };
    expect(() => manifestRequest(inA, kindOf(inA), opts({ namespace: 'b' }))).toThrow(
      'the namespace from the object "a" does not match --namespace "b"',
    );
  });

  it('draws a fresh uid when none is given', () => {
    const random = opts();
    delete random.uid;
    const a = manifestRequest(pod, kindOf(pod), random);
    const b = manifestRequest(pod, kindOf(pod), random);
    expect(a.uid).not.toBe(b.uid);
  });
});
