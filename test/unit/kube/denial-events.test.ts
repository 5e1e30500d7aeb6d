// The Event a denial becomes (events.denials): its target, message and cap. Aggregation and
// rate limits are the recorder's (event-recorder.test.ts); the e2e test writes real ones.
import { denialEvent } from '../../../src/kube/denial-events';
import type { Denial } from '../../../src/denial';

const denial: Denial = {
  operation: 'CREATE',
  apiVersion: 'v1',
  kind: 'Pod',
  name: 'web',
  namespace: 'shop',
  user: 'alice',
  policies: ['disallow-latest-tag', 'disallow-privileged'],
  message: '2 violations of 2 policies: ...',
};

it('a namespaced denial is about its Namespace, in that namespace', () => {
  expect(denialEvent(denial)).toEqual({
    target: { apiVersion: 'v1', kind: 'Namespace', name: 'shop', namespace: 'shop' },
    message:
      'CREATE Pod shop/web by alice denied by disallow-latest-tag, disallow-privileged: 2 violations of 2 policies: ...',
  });
});

it('a cluster-scoped denial is about the object (the recorder puts it in default)', () => {
  const e = denialEvent({
    ...denial,
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    name: 'admin-2',
    namespace: '',
    user: '',
  });
  expect(e.target).toEqual({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    name: 'admin-2',
  });
  expect(e.message).toMatch(/^CREATE ClusterRole admin-2 by \(unknown user\) denied by /);
});

it('caps the message at 1 KiB', () => {
  const e = denialEvent({ ...denial, message: 'x'.repeat(5000) });
  expect(e.message).toHaveLength(1024);
  expect(e.message.endsWith('…')).toBe(true);
});
