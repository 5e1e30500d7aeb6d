// Leader election against the real apiserver: two candidate processes (test/e2e/kube/driver.ts
// elect) on one coordination.k8s.io/v1 Lease. One leads, the other waits; SIGTERM makes the
// leader release the lease, and the other takes it long before it would have expired; SIGKILL
// leaves it held, and the other takes it once leaseDuration has passed without a renewal.
import { KUBECONFIG, kubectl, requireCluster } from '../support/cluster';
import { startDriver, type DriverProcess } from './kube/run-driver';
import { createNamespace, uniqueName } from './namespaces';

const run = uniqueName('kube-lease');
const started: DriverProcess[] = [];

beforeAll(() => requireCluster());
afterEach(() => started.splice(0).forEach((d) => d.proc.kill('SIGKILL')));

function candidate(namespace: string, identity: string, timings: object): DriverProcess {
  const d = startDriver('elect', {
    kubeconfig: KUBECONFIG,
    namespace,
    lease: 'audit',
    identity,
    timings,
  });
  started.push(d);
  return d;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- kubectl JSON, asserted on
async function lease(namespace: string): Promise<Record<string, any>> {
  const got = await kubectl(['get', 'lease', 'audit', '-n', namespace, '-o', 'json']);
  expect(got.stderr).toBe('');
  return JSON.parse(got.stdout).spec;
}

const isStarted = (l: { event?: string }) => l.event === 'started';

it('one of two candidates leads; on SIGTERM it releases and the other takes over at once', async () => {
  const ns = await createNamespace(`${run}-term`);
  // A long lease: a takeover within its duration can only come from the release.
  const timings = { duration: 60, renewDeadline: 40, retryPeriod: 1 };
  const a = candidate(ns, 'a', timings);
  await a.waitFor(isStarted);
  const b = candidate(ns, 'b', timings);
  await b.waitFor((l) => l.event === 'leader' && l.identity === 'a');
  expect(await lease(ns)).toMatchObject({
    holderIdentity: 'a',
    leaseDurationSeconds: 60,
    leaseTransitions: 0,
  });
  a.proc.kill('SIGTERM');
  expect(await a.exited).toBe(0);
  expect(a.lines.filter((l) => l.event === 'started' || l.event === 'stopped')).toEqual([
    { event: 'started' },
    { event: 'stopped' },
  ]);
  await b.waitFor(isStarted, 30_000); // well inside the 60 s the lease would have lasted
  expect(b.lines.filter(isStarted)).toHaveLength(1);
  const spec = await lease(ns);
  expect(spec).toMatchObject({
    holderIdentity: 'b',
    leaseDurationSeconds: 60,
    leaseTransitions: 1,
  });
  expect(spec.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
});

it('after SIGKILL the lease stays held until it expires, then the other candidate takes it', async () => {
  const ns = await createNamespace(`${run}-kill`);
  const timings = { duration: 4, renewDeadline: 3, retryPeriod: 1 };
  const a = candidate(ns, 'a', timings);
  await a.waitFor(isStarted);
  const b = candidate(ns, 'b', timings);
  await b.waitFor((l) => l.event === 'leader' && l.identity === 'a');
  a.proc.kill('SIGKILL');
  await a.exited;
  // Killed, it released nothing: the lease still names a.
  expect(await lease(ns)).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 4 });
  await b.waitFor(isStarted, 30_000);
  expect(await lease(ns)).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  expect(b.lines.filter((l) => l.event === 'leader').map((l) => l.identity)).toEqual(['a', 'b']);
});
