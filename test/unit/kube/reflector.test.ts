// The generic reflector's own parts (the namespace reflector's tests cover the watch loop:
// timeouts, silence, 410, backoff): lists page by page, a handler that returns promises holds
// the next page and the next event, relist() lists again, an expired continue token starts the
// list over, `synced` resolves after the first complete list.
import { Reflector, type ReflectorPage } from '../../../src/kube/reflector';
import { silentLogger } from '../../support/log-capture';

interface Obj {
  metadata?: { name?: string; resourceVersion?: string };
  code?: number;
}

const obj = (name: string, rv: string): Obj => ({ metadata: { name, resourceVersion: rv } });
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const running: Reflector<Obj>[] = [];
afterEach(() => running.splice(0).forEach((r) => r.stop()));

function setup(pages: Array<ReflectorPage<Obj> | Error>) {
  const listCalls: Array<string | undefined> = [];
  const watches: Array<{
    rv: string;
    send: (type: string, o: Obj) => void;
    end: (err?: unknown) => void;
    aborted: boolean;
  }> = [];
  let i = 0;
  const log: string[] = [];
  const reflector = new Reflector<Obj>(
    {
      async list(token) {
        listCalls.push(token);
        const next = pages[Math.min(i++, pages.length - 1)]!;
        if (next instanceof Error) throw next;
        return next;
      },
      async watch(rv, _timeout, onEvent, done) {
        const w = { rv, send: onEvent, end: done, aborted: false };
        watches.push(w);
        return {
          abort: () => {
            w.aborted = true;
            done(new Error('aborted'));
          },
        };
      },
    },
    {
      onListStart: () => void log.push('start'),
      onListPage: async (items) => {
        log.push(`page ${items.map((o) => o.metadata!.name).join(',')}`);
        await settle();
        log.push('page handled');
      },
      onListDone: (rv) => void log.push(`done ${rv}`),
      onEvent: async (type, o) => {
        log.push(`${type} ${o.metadata!.name}`);
        await settle();
        log.push(`handled ${o.metadata!.name}`);
      },
    },
    silentLogger,
    { name: 'pods', random: () => 0 },
  );
  running.push(reflector);
  return { reflector, listCalls, watches, log };
}

it('lists page by page with the continue token, each page handled before the next is asked', async () => {
  const t = setup([
    { items: [obj('a', '1'), obj('b', '2')], resourceVersion: '', continue: 'c1' },
    { items: [obj('c', '3')], resourceVersion: '9' },
  ]);
  let synced = false;
  void t.reflector.synced.then(() => (synced = true));
  t.reflector.start();
  for (let i = 0; i < 10 && t.watches.length === 0; i++) await settle();
  expect(t.listCalls).toEqual([undefined, 'c1']);
  expect(t.log).toEqual(['start', 'page a,b', 'page handled', 'page c', 'page handled', 'done 9']);
  expect(t.watches.map((w) => w.rv)).toEqual(['9']);
  expect(synced).toBe(true);
  t.reflector.stop();
});

it('hands events over one at a time, in order, each after the previous one is handled', async () => {
  const t = setup([{ items: [], resourceVersion: '5' }]);
  t.reflector.start();
  for (let i = 0; i < 10 && t.watches.length === 0; i++) await settle();
  t.log.length = 0;
  t.watches[0]!.send('ADDED', obj('x', '6'));
  t.watches[0]!.send('BOOKMARK', { metadata: { resourceVersion: '7' } });
  t.watches[0]!.send('DELETED', obj('y', '8'));
  for (let i = 0; i < 10; i++) await settle();
  expect(t.log).toEqual(['ADDED x', 'handled x', 'DELETED y', 'handled y']);
  t.reflector.stop();
});

it('relist() ends the watch and lists again, then watches from the new list', async () => {
  const t = setup([
    { items: [obj('a', '1')], resourceVersion: '4' },
    { items: [obj('b', '5')], resourceVersion: '20' },
  ]);
  t.reflector.start();
  for (let i = 0; i < 10 && t.watches.length === 0; i++) await settle();
  t.reflector.relist();
  for (let i = 0; i < 10 && t.watches.length < 2; i++) await settle();
  expect(t.watches[0]!.aborted).toBe(true);
  expect(t.watches.map((w) => w.rv)).toEqual(['4', '20']);
  expect(t.log.filter((l) => l.startsWith('start') || l.startsWith('done'))).toEqual([
    'start',
    'done 4',
    'start',
    'done 20',
  ]);
  t.reflector.stop();
});

it('relist() during a list lists again as soon as that list is done', async () => {
  const t = setup([
    { items: [obj('a', '1')], resourceVersion: '4' },
    { items: [obj('b', '5')], resourceVersion: '20' },
  ]);
  t.reflector.start();
  await Promise.resolve(); // the first list has been asked for, its page not handled yet
  t.reflector.relist();
  for (let i = 0; i < 20 && t.watches.length === 0; i++) await settle();
  expect(t.listCalls).toHaveLength(2);
  expect(t.watches.map((w) => w.rv)).toEqual(['20']);
});

it('starts the list over when its continue token has expired (410)', async () => {
  const t = setup([
    { items: [obj('a', '1')], resourceVersion: '', continue: 'old' },
    Object.assign(new Error('Gone'), { code: 410 }),
    { items: [obj('a', '1'), obj('b', '2')], resourceVersion: '30' },
  ]);
  t.reflector.start();
  for (let i = 0; i < 10 && t.watches.length === 0; i++) await settle();
  expect(t.listCalls).toEqual([undefined, 'old', undefined]);
  expect(t.log.filter((l) => l === 'start' || l.startsWith('done'))).toEqual([
    'start',
    'start',
    'done 30',
  ]);
  expect(t.watches.map((w) => w.rv)).toEqual(['30']);
  t.reflector.stop();
});

it('lists again when the watch request itself is refused with 410', async () => {
  const t = setup([
    { items: [], resourceVersion: '3' },
    { items: [], resourceVersion: '40' },
  ]);
  t.reflector.start();
  for (let i = 0; i < 10 && t.watches.length === 0; i++) await settle();
  t.watches[0]!.end(Object.assign(new Error('Gone'), { statusCode: 410 }));
  for (let i = 0; i < 10 && t.watches.length < 2; i++) await settle();
  expect(t.listCalls).toHaveLength(2);
  expect(t.watches.map((w) => w.rv)).toEqual(['3', '40']);
  t.reflector.stop();
});
