// The namespace reflector against a scripted API: list, then watches from the last
// resourceVersion; 410 lists again; a silent watch is ended and started again; failures back
// off; stop ends everything. Timers are jest's fake ones: nothing here waits for real time.
import { NamespaceLabelCache } from '../../../src/kube/namespace-labels';
import {
  NamespaceReflector,
  type NamespaceApi,
  type NamespaceObject,
} from '../../../src/kube/namespace-reflector';
import { captureLogs } from '../../support/log-capture';

interface Watch {
  resourceVersion: string;
  timeoutSeconds: number;
  send(type: string, obj: NamespaceObject): void;
  end(err?: unknown): void;
  aborted: boolean;
}

const ns = (name: string, rv: string, labels: Record<string, string> = {}): NamespaceObject => ({
  metadata: { name, resourceVersion: rv, labels },
});

function setup(lists: Array<{ items: NamespaceObject[]; resourceVersion: string } | Error>) {
  const watches: Watch[] = [];
  let listCalls = 0;
  const api: NamespaceApi = {
    async list() {
      const next = lists[Math.min(listCalls++, lists.length - 1)]!;
      if (next instanceof Error) throw next;
      return next;
    },
    async watch(resourceVersion, timeoutSeconds, onEvent, done) {
      const w: Watch = {
        resourceVersion,
        timeoutSeconds,
        send: onEvent,
        end: done,
        aborted: false,
      };
      watches.push(w);
      return {
        abort: () => {
          w.aborted = true;
          done(new Error('aborted'));
        },
      };
    },
  };
  const { logger, lines } = captureLogs();
  const cache = new NamespaceLabelCache(async () => null, { logger });
  const reflector = new NamespaceReflector(api, cache, logger, {
    watchSeconds: 300,
    silenceGraceSeconds: 30,
    random: () => 0,
  });
  return { api, cache, reflector, watches, lines, lists: () => listCalls };
}

/** Lets pending promise callbacks run (the reflector's awaits), without advancing time. */
const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
afterEach(() => jest.useRealTimers());

it('lists, then watches from the list resourceVersion, applying events to the cache', async () => {
  const t = setup([{ items: [ns('a', '5', { env: 'dev' })], resourceVersion: '10' }]);
  t.reflector.start();
  await settle();
  expect(await t.cache.lookup('a')).toEqual({ env: 'dev' });
  expect(t.watches.map((w) => [w.resourceVersion, w.timeoutSeconds])).toEqual([['10', 300]]);
  t.watches[0]!.send('MODIFIED', ns('a', '11', { env: 'prod' }));
  t.watches[0]!.send('ADDED', ns('b', '12'));
  t.watches[0]!.send('DELETED', ns('a', '13'));
  t.watches[0]!.send('BOOKMARK', { metadata: { resourceVersion: '14' } });
  expect(t.cache.names()).toEqual(['b']);
  // The apiserver ends the watch at its timeout: watched again from the last version, no list.
  jest.advanceTimersByTime(300_000);
  t.watches[0]!.end();
  await settle();
  expect(t.watches.map((w) => w.resourceVersion)).toEqual(['10', '14']);
  expect(t.lists()).toBe(1);
  t.reflector.stop();
});

it('lists again on 410 Gone, dropping namespaces that are no longer there', async () => {
  const t = setup([
    { items: [ns('a', '1'), ns('b', '2')], resourceVersion: '2' },
    { items: [ns('b', '30', { env: 'prod' })], resourceVersion: '30' },
  ]);
  t.reflector.start();
  await settle();
  t.watches[0]!.send('ERROR', { code: 410, message: 'too old resource version' });
  await settle();
  expect(t.lists()).toBe(2);
  expect(t.cache.names()).toEqual(['b']);
  expect(await t.cache.lookup('b')).toEqual({ env: 'prod' });
  expect(t.watches.map((w) => w.resourceVersion)).toEqual(['2', '30']);
  t.reflector.stop();
});

it('ends a watch that stays silent past its timeout and starts it again', async () => {
  const t = setup([{ items: [], resourceVersion: '7' }]);
  t.reflector.start();
  await settle();
  jest.advanceTimersByTime(329_999);
  await settle();
  expect(t.watches).toHaveLength(1);
  jest.advanceTimersByTime(1);
  await settle();
  expect(t.watches[0]!.aborted).toBe(true);
  expect(t.watches).toHaveLength(2);
  expect(t.watches[1]!.resourceVersion).toBe('7');
  expect(t.lines.some((l) => l.msg.startsWith('namespace watch silent'))).toBe(true);
  t.reflector.stop();
});

it('any event keeps a watch alive', async () => {
  const t = setup([{ items: [], resourceVersion: '7' }]);
  t.reflector.start();
  await settle();
  jest.advanceTimersByTime(300_000);
  t.watches[0]!.send('BOOKMARK', { metadata: { resourceVersion: '8' } });
  jest.advanceTimersByTime(300_000);
  await settle();
  expect(t.watches).toHaveLength(1);
  t.reflector.stop();
});

it('backs off failures in a row, 1 s then 2 s, whether the list or the watch fails', async () => {
  const t = setup([new Error('list refused'), { items: [], resourceVersion: '3' }]);
  t.reflector.start();
  await settle();
  jest.advanceTimersByTime(1_000); // the retry after the failed list
  await settle();
  expect(t.watches).toHaveLength(1);
  t.watches[0]!.end(Object.assign(new Error('Forbidden'), { statusCode: 403 }));
  await settle();
  jest.advanceTimersByTime(1_999);
  await settle();
  expect(t.watches).toHaveLength(1);
  jest.advanceTimersByTime(1);
  await settle();
  expect(t.watches).toHaveLength(2);
  const warnings = t.lines.filter((l) => l.msg.startsWith('namespace watch failed'));
  expect(warnings.map((w) => w.retryInMs)).toEqual([1000, 2000]);
  t.reflector.stop();
});

it('counts a watch that ends at once, empty, as a failure (no spinning)', async () => {
  const t = setup([{ items: [], resourceVersion: '3' }]);
  t.reflector.start();
  await settle();
  t.watches[0]!.end();
  await settle();
  expect(t.watches).toHaveLength(1);
  expect(t.lines.filter((l) => l.msg.startsWith('namespace watch failed'))).toHaveLength(1);
  t.reflector.stop();
});

it('stop ends the watch and starts nothing more', async () => {
  const t = setup([{ items: [], resourceVersion: '3' }]);
  t.reflector.start();
  await settle();
  t.reflector.stop();
  await settle();
  expect(t.watches[0]!.aborted).toBe(true);
  jest.advanceTimersByTime(3_600_000);
  await settle();
  expect(t.watches).toHaveLength(1);
  expect(t.lines.filter((l) => l.msg.startsWith('namespace watch failed'))).toEqual([]);
});
