// The namespace label cache: the watch's view first; a live GET for a namespace it has not seen,
// shared by concurrent lookups and kept for a while; failures answered as unknown, never thrown,
// and warned about at most once per interval.
import pino from 'pino';
import { Writable } from 'node:stream';
import {
  NamespaceLabelCache,
  type LookupSource,
  type NamespaceGetter,
} from '../../../src/kube/namespace-labels';
import type { Labels } from '../../../src/policy/match';

function setup(get: NamespaceGetter, opts: { getTtlMs?: number; failureTtlMs?: number } = {}) {
  let now = 1_000;
  const lines: Array<{ level: number; msg: string; reason?: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const sources: LookupSource[] = [];
  const cache = new NamespaceLabelCache(get, {
    logger: pino({ level: 'debug' }, sink),
    onLookup: (s) => sources.push(s),
    now: () => now,
    ...opts,
  });
  return { cache, lines, sources, advance: (ms: number) => (now += ms) };
}

/** A getter that answers from `namespaces` and counts its calls. */
function api(namespaces: Record<string, Labels>) {
  const calls: string[] = [];
  const get: NamespaceGetter = async (name) => {
    calls.push(name);
    return namespaces[name] ?? null;
  };
  return { get, calls };
}

it('answers from the watch without calling the API', async () => {
  const { get, calls } = api({});
  const { cache, sources } = setup(get);
  cache.put('team-a', { env: 'prod' });
  await expect(cache.lookup('team-a')).resolves.toEqual({ env: 'prod' });
  expect(calls).toEqual([]);
  expect(sources).toEqual(['watch']);
});

it('reads a namespace the watch has not delivered with one GET shared by concurrent lookups', async () => {
  const { get, calls } = api({ fresh: { env: 'dev' } });
  const { cache, sources } = setup(get);
  const answers = await Promise.all([cache.lookup('fresh'), cache.lookup('fresh')]);
  expect(answers).toEqual([{ env: 'dev' }, { env: 'dev' }]);
  expect(calls).toEqual(['fresh']);
  expect(sources).toEqual(['get', 'get']);
});

it("keeps a GET's answer for getTtlMs, then asks again", async () => {
  const namespaces: Record<string, Labels> = { a: { env: 'dev' } };
  const { get, calls } = api(namespaces);
  const { cache, advance } = setup(get, { getTtlMs: 5_000 });
  await cache.lookup('a');
  namespaces.a = { env: 'prod' };
  advance(4_999);
  await expect(cache.lookup('a')).resolves.toEqual({ env: 'dev' });
  advance(1);
  await expect(cache.lookup('a')).resolves.toEqual({ env: 'prod' });
  expect(calls).toEqual(['a', 'a']);
});

it('the watch overrides a GET answer, and a deletion forgets the namespace', async () => {
  const { get, calls } = api({ a: { env: 'dev' } });
  const { cache } = setup(get);
  await cache.lookup('a');
  cache.put('a', { env: 'prod' });
  await expect(cache.lookup('a')).resolves.toEqual({ env: 'prod' });
  cache.remove('a');
  expect(cache.size).toBe(0);
  await expect(cache.lookup('a')).resolves.toEqual({ env: 'dev' });
  expect(calls).toEqual(['a', 'a']);
});

it('a watch event that lands while a GET is in flight wins over its answer', async () => {
  let release!: (l: Labels) => void;
  const { cache } = setup(() => new Promise((resolve) => (release = resolve)));
  const pending = cache.lookup('a');
  cache.put('a', { env: 'prod' });
  release({ env: 'stale' });
  await expect(pending).resolves.toEqual({ env: 'prod' });
  await expect(cache.lookup('a')).resolves.toEqual({ env: 'prod' });
});

it('a namespace that does not exist is unknown', async () => {
  const { cache, sources } = setup(api({}).get);
  await expect(cache.lookup('gone')).resolves.toBeUndefined();
  expect(sources).toEqual(['unknown']);
});

it('a failed GET is unknown, not thrown; retried after failureTtlMs; warned once per interval', async () => {
  let fail = true;
  let calls = 0;
  const get: NamespaceGetter = async () => {
    calls++;
    if (fail)
      throw Object.assign(new Error('forbidden'), {
        code: 403,
        body: { message: 'namespaces "a" is forbidden' },
      });
    return { env: 'prod' };
  };
  const { cache, lines, advance } = setup(get, { failureTtlMs: 1_000 });
  await expect(cache.lookup('a')).resolves.toBeUndefined();
  await expect(cache.lookup('a')).resolves.toBeUndefined();
  expect(calls).toBe(1);
  advance(1_000);
  await expect(cache.lookup('a')).resolves.toBeUndefined();
  expect(calls).toBe(2);
  const warnings = lines.filter((l) => l.level === 40);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatchObject({
    msg: 'cannot read namespace labels; policies with a namespaceSelector apply to it',
    reason: 'HTTP 403: namespaces "a" is forbidden',
  });
  fail = false;
  advance(1_000);
  await expect(cache.lookup('a')).resolves.toEqual({ env: 'prod' });
});

it('logs a change of labels the watch delivers (debug)', () => {
  const { cache, lines } = setup(api({}).get);
  cache.put('a', { env: 'dev' });
  cache.put('a', { env: 'dev' });
  cache.put('a', { env: 'prod' });
  expect(lines.filter((l) => l.msg === 'namespace labels changed')).toHaveLength(1);
});
