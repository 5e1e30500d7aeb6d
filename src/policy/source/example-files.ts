// The layout of a policy's examples/ folder (docs/policy-contract.md, "Examples and their
// expectations"): allowed/ and denied/ only, each holding <name>.yaml and, for a denied example
// always, <name>.expected.json. Checked by the loader so a stray file is named, not ignored.
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

export function checkExampleFiles(dir: string, errors: string[]): void {
  const ex = join(dir, 'examples');
  if (!existsSync(ex)) return;
  for (const e of readdirSync(ex)) {
    if (e !== 'allowed' && e !== 'denied') {
      errors.push(`${join(ex, e)}: examples/ holds only allowed/ and denied/`);
    }
  }
  for (const kind of ['allowed', 'denied']) {
    const d = join(ex, kind);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (/\.ya?ml$/.test(f)) {
        const expected = p.replace(/\.ya?ml$/, '.expected.json');
        if (kind === 'denied' && !existsSync(expected)) {
          errors.push(`${p}: a denied example needs ${basename(expected)} listing its violations`);
        }
      } else if (f.endsWith('.expected.json')) {
        const base = p.slice(0, -'.expected.json'.length);
        if (!existsSync(`${base}.yaml`) && !existsSync(`${base}.yml`)) {
          errors.push(`${p}: no ${basename(base)}.yaml beside it`);
        }
      } else {
        errors.push(`${p}: examples hold only <name>.yaml and <name>.expected.json`);
      }
    }
  }
}
