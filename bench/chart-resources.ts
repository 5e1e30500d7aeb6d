// The chart's container resources (charts/palisade/values.yaml), read where the bench needs them
// so a figure is always set beside the limit the chart really ships.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../test/support/root';

const VALUES = join(ROOT, 'charts', 'palisade', 'values.yaml');

const UNITS: Record<string, number> = {
  '': 1,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  k: 1e3,
  M: 1e6,
  G: 1e9,
};

/** A Kubernetes memory quantity ("256Mi", "1G", "134217728") in MiB. */
export function quantityMiB(q: string | number): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|k|M|G|)$/.exec(String(q));
  if (!m) throw new Error(`unsupported memory quantity ${JSON.stringify(q)}`);
  return (Number(m[1]) * UNITS[m[2]!]!) / 2 ** 20;
}

/** A Kubernetes CPU quantity ("1", "500m", 2) in CPUs. */
export function quantityCpus(q: string | number): number {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(String(q));
  if (!m) throw new Error(`unsupported CPU quantity ${JSON.stringify(q)}`);
  return Number(m[1]) / (m[2] ? 1000 : 1);
}

function limits(): { memory: string; cpu: string | number } {
  const values = parse(readFileSync(VALUES, 'utf8')) as {
    resources: { limits: { memory: string; cpu: string | number } };
  };
  return values.resources.limits;
}

/** resources.limits.memory of the chart's defaults, in MiB. */
export function chartMemoryLimitMiB(): number {
  return quantityMiB(limits().memory);
}

/** resources.limits.cpu of the chart's defaults, in CPUs. */
export function chartCpuLimit(): number {
  return quantityCpus(limits().cpu);
}
