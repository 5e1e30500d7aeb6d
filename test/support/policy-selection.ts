// Policy selection: the `policies` entries of a Palisade config that turn every policy of a
// built bundle off except the ones a test or bench is about. The built-in set keeps growing; a
// test that asserts exact output names the policies it is about, so adding one changes nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLE } from './root';

export type PolicySettings = Record<string, unknown>;

/** The ids of the policies in a bundle (its palisade.json), or undefined when it is unreadable. */
export function bundlePolicyIds(bundleDir: string = BUNDLE): string[] | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(bundleDir, 'palisade.json'), 'utf8')) as {
      policies: Array<{ id: string }>;
    };
    return manifest.policies.map((p) => p.id);
  } catch {
    return undefined;
  }
}

/** Every id in `ids` off, except those in `keep` (id → its settings; {} keeps the defaults). */
export function policiesOffExcept(
  ids: readonly string[],
  keep: Record<string, PolicySettings>,
): Record<string, PolicySettings> {
  return Object.fromEntries(ids.map((id) => [id, keep[id] ?? { action: 'off' }]));
}

/** The `policies` key turning every policy of the bundle off except `keep`, which must be in it. */
export function onlyPolicies(
  keep: Record<string, PolicySettings>,
  bundleDir: string = BUNDLE,
): Record<string, PolicySettings> {
  const ids = bundlePolicyIds(bundleDir);
  if (!ids) throw new Error(`${join(bundleDir, 'palisade.json')}: no readable bundle manifest`);
  for (const id of Object.keys(keep)) {
    if (!ids.includes(id)) throw new Error(`policy ${id} is not in ${bundleDir}`);
  }
  return policiesOffExcept(ids, keep);
}
