// The pod-spec cache's metrics read the serving snapshot's cache at scrape time; a reload brings
// a new, empty cache, and the lookup counters keep counting up from where they were.
import { Metrics } from '../../../src/server/metrics';

async function value(m: Metrics, name: string, labels = ''): Promise<number> {
  const text = await m.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return Number(line?.split(' ')[1] ?? NaN);
}

it('counts hits and misses across a reload, and reports the current size', async () => {
  const m = new Metrics();
  let cache = { hits: 3, misses: 2, size: 2, byteSize: 900 };
  m.watchPodSpecCache(() => cache);
  expect(await value(m, 'palisade_pod_spec_cache_lookups_total', '{result="hit"}')).toBe(3);
  cache.hits = 10;
  expect(await value(m, 'palisade_pod_spec_cache_lookups_total', '{result="hit"}')).toBe(10);
  // A reload: a new cache object counting from zero.
  cache = { hits: 1, misses: 4, size: 1, byteSize: 300 };
  expect(await value(m, 'palisade_pod_spec_cache_lookups_total', '{result="hit"}')).toBe(11);
  expect(await value(m, 'palisade_pod_spec_cache_lookups_total', '{result="miss"}')).toBe(6);
  expect(await value(m, 'palisade_pod_spec_cache_entries')).toBe(1);
  expect(await value(m, 'palisade_pod_spec_cache_bytes')).toBe(300);
});

it('reports nothing cached while the snapshot has no cache', async () => {
  const m = new Metrics();
  m.watchPodSpecCache(() => undefined);
  expect(await value(m, 'palisade_pod_spec_cache_entries')).toBe(0);
});
