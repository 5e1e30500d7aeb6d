// docs/metrics.md lists every metric Palisade registers (besides Node's process metrics), with
// its labels, so an admin can build dashboards and alerts from the doc alone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Metrics } from '../../../src/server/metrics';

const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'metrics.md'), 'utf8');
const rows = new Map(
  doc
    .split('\n')
    .filter((l) => l.startsWith('| `palisade_'))
    .map((l) => [/^\| `([a-z_]+)`/.exec(l)![1]!, l]),
);

it.each(new Metrics().registry.getMetricsAsArray().map((m) => [m.name, m] as const))(
  '%s is documented with its type and labels',
  (name, metric) => {
    const row = rows.get(name);
    expect(row).toBeDefined();
    const cells = row!.split('|').map((c) => c.trim());
    expect(cells[2]).toBe(metric.type);
    const labels = (metric as unknown as { labelNames: string[] }).labelNames;
    for (const label of labels) expect(cells[3]).toContain(`\`${label}\``);
  },
);

it('documents no metric that is not registered', () => {
  const names = new Set(new Metrics().registry.getMetricsAsArray().map((m) => m.name));
  expect([...rows.keys()].filter((n) => !names.has(n))).toEqual([]);
});
