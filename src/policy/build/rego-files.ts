// The Rego files of a policies directory the bundle is made of. An explicit list, since opa
// given a directory would also load policy.yaml, the examples and capabilities.json as data.
// Sorted by path in byte order, as `find | LC_ALL=C sort` did, so builds are reproducible.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every .rego under dir except *_test.rego and anything in an examples/ folder. */
export function regoSources(dir: string): string[] {
  return regoFiles(dir, (name) => !name.endsWith('_test.rego'));
}

/** Every .rego under dir (tests included) except in examples/ folders: what opa fmt checks. */
export function allRegoFiles(dir: string): string[] {
  return regoFiles(dir, () => true);
}

function regoFiles(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'examples') walk(p);
      } else if (e.name.endsWith('.rego') && keep(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort(byteOrder);
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
