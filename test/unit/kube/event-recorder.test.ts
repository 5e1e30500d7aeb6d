// The event correlator against a recording sink: repeats counted on one Event, many different
// messages combined, a token bucket per object, expired Events created anew, failures logged.
// Time is a number the test sets. The real apiserver: test/e2e/kube-resources.test.ts.
import {
  createEventRecorder,
  eventTarget,
  type CoreEvent,
  type EventSink,
} from '../../../src/kube/event-recorder';
import { captureLogs } from '../../support/log-capture';

function setup(opts: { failPatch?: number; failCreate?: boolean } = {}) {
  let t = Date.parse('2026-12-02T04:00:00Z');
  const created: CoreEvent[] = [];
  const patched: Array<{ name: string; count: number; message: string; lastTimestamp: string }> =
    [];
  const sink: EventSink = {
    async create(event) {
      if (opts.failCreate) throw Object.assign(new Error('forbidden'), { code: 403 });
      created.push(structuredClone(event));
    },
    async patch(_namespace, name, patch) {
      if (opts.failPatch) throw Object.assign(new Error('gone'), { code: opts.failPatch });
      patched.push({ name, ...patch });
    },
  };
  const { logger, lines } = captureLogs();
  const recorder = createEventRecorder(sink, {
    component: 'palisade-audit',
    instance: 'palisade-0',
    logger,
    now: () => t,
  });
  return {
    recorder,
    created,
    patched,
    lines,
    advance: (ms: number) => (t += ms),
  };
}

const pod = (name: string, namespace = 'team-a') =>
  eventTarget({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, uid: `uid-${name}`, resourceVersion: '7' },
  });

it('creates one Event, then counts the same event on it by PATCH', async () => {
  const t = setup();
  t.recorder.record(pod('web'), 'Warning', 'PolicyViolation', 'privileged: not allowed');
  t.advance(30_000);
  t.recorder.record(pod('web'), 'Warning', 'PolicyViolation', 'privileged: not allowed');
  t.recorder.record(pod('web'), 'Warning', 'PolicyViolation', 'privileged: not allowed');
  await t.recorder.flush();
  expect(t.created).toHaveLength(1);
  const ev = t.created[0]!;
  expect(ev).toMatchObject({
    metadata: { namespace: 'team-a' },
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'team-a', uid: 'uid-web' },
    type: 'Warning',
    reason: 'PolicyViolation',
    message: 'privileged: not allowed',
    source: { component: 'palisade-audit', host: 'palisade-0' },
    reportingComponent: 'palisade-audit',
    reportingInstance: 'palisade-0',
    count: 1,
    firstTimestamp: '2026-12-02T04:00:00.000Z',
  });
  expect(ev.metadata.name).toMatch(/^web\.[0-9a-f]+$/);
  expect(t.patched).toEqual([
    {
      name: ev.metadata.name,
      count: 2,
      message: ev.message,
      lastTimestamp: '2026-12-02T04:00:30.000Z',
    },
    {
      name: ev.metadata.name,
      count: 3,
      message: ev.message,
      lastTimestamp: '2026-12-02T04:00:30.000Z',
    },
  ]);
});

it('keeps Events of different objects, reasons and messages apart', async () => {
  const t = setup();
  t.recorder.record(pod('web'), 'Warning', 'PolicyViolation', 'a');
  t.recorder.record(pod('db'), 'Warning', 'PolicyViolation', 'a');
  t.recorder.record(pod('web'), 'Warning', 'OtherReason', 'a');
  t.recorder.record(pod('web'), 'Warning', 'PolicyViolation', 'b');
  await t.recorder.flush();
  expect(t.created.map((e) => [e.involvedObject.name, e.reason, e.message])).toEqual([
    ['web', 'PolicyViolation', 'a'],
    ['db', 'PolicyViolation', 'a'],
    ['web', 'OtherReason', 'a'],
    ['web', 'PolicyViolation', 'b'],
  ]);
  expect(t.patched).toEqual([]);
});

it('combines more than 10 different messages within 10 minutes into one Event', async () => {
  const t = setup();
  for (let i = 1; i <= 14; i++)
    t.recorder.record(pod('web'), 'Warning', 'PolicyViolation', `m${i}`);
  await t.recorder.flush();
  expect(t.created.map((e) => e.message)).toEqual([
    ...Array.from({ length: 10 }, (_, i) => `m${i + 1}`),
    '(combined from similar events): m11',
  ]);
  expect(t.patched.map((p) => [p.count, p.message])).toEqual([
    [2, '(combined from similar events): m12'],
    [3, '(combined from similar events): m13'],
    [4, '(combined from similar events): m14'],
  ]);
  // Ten quiet minutes later the window starts over.
  t.advance(10 * 60_000 + 1);
  t.recorder.record(pod('web'), 'Warning', 'PolicyViolation', 'm15');
  await t.recorder.flush();
  expect(t.created.at(-1)!.message).toBe('m15');
});

it('rate-limits per object: a burst of 25, then one more every 5 minutes', async () => {
  const t = setup();
  for (let i = 0; i < 30; i++) t.recorder.record(pod('web'), 'Warning', 'R', 'same');
  t.recorder.record(pod('db'), 'Warning', 'R', 'same'); // another object: its own bucket
  await t.recorder.flush();
  expect(t.created).toHaveLength(2);
  expect(t.patched).toHaveLength(24);
  expect(t.recorder.dropped).toBe(5);
  t.advance(5 * 60_000 - 1);
  t.recorder.record(pod('web'), 'Warning', 'R', 'same');
  expect(t.recorder.dropped).toBe(6);
  t.advance(1);
  t.recorder.record(pod('web'), 'Warning', 'R', 'same');
  await t.recorder.flush();
  expect(t.recorder.dropped).toBe(6);
  expect(t.patched.at(-1)!.count).toBe(26);
});

it('creates a new Event when the counted one has expired (404 on the PATCH)', async () => {
  const t = setup({ failPatch: 404 });
  t.recorder.record(pod('web'), 'Warning', 'R', 'same');
  t.advance(2 * 3_600_000);
  t.recorder.record(pod('web'), 'Warning', 'R', 'same');
  await t.recorder.flush();
  expect(t.created.map((e) => e.count)).toEqual([1, 1]);
  expect(t.created[0]!.metadata.name).not.toBe(t.created[1]!.metadata.name);
});

it('logs a failed write and never throws at the caller', async () => {
  const t = setup({ failCreate: true });
  expect(() => t.recorder.record(pod('web'), 'Warning', 'R', 'm')).not.toThrow();
  await t.recorder.flush();
  expect(t.lines.filter((l) => l.msg === 'cannot write an event')).toHaveLength(1);
});

it('puts the Event of a cluster-scoped object in namespace default', async () => {
  const t = setup();
  t.recorder.record(
    eventTarget({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', uid: 'u' } }),
    'Warning',
    'R',
    'm',
  );
  await t.recorder.flush();
  expect(t.created[0]!.metadata.namespace).toBe('default');
  expect(t.created[0]!.involvedObject).toEqual({
    apiVersion: 'v1',
    kind: 'Namespace',
    name: 'team-a',
    namespace: undefined,
    uid: 'u',
    resourceVersion: undefined,
  });
});
