// What the page is handed (playground.json): the webhook's config as loaded, the bundle's
// policies, and, when the policy sources are at hand, each policy's Rego for editing.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Config } from '../../config/schema';
import type { Bundle } from '../../policy/bundle';
import { loadPolicySources } from '../../policy/source/discover';
import type { PolicySources } from './compile-policy';
import type { PlaygroundData, PolicyView } from './page/protocol';

/** The policy sources of a policies directory, or a problem naming each invalid folder. */
export function readPolicySources(dir: string): PolicySources {
  const { policies, errors } = loadPolicySources(dir);
  if (errors.length > 0)
    throw new Error(`${dir}: invalid policy folders:\n  ${errors.join('\n  ')}`);
  const rego = new Map<string, { folder: string; files: Record<string, string> }>();
  for (const p of policies) {
    const files: Record<string, string> = {};
    for (const f of p.regoFiles) files[relative(p.dir, f)] = readFileSync(f, 'utf8');
    rego.set(p.id, { folder: relative(dir, p.dir), files });
  }
  return { dir, rego };
}

export function playgroundData(
  bundle: Bundle,
  config: Config,
  opts: { webhook: string; static: boolean; sources?: PolicySources },
): PlaygroundData {
  const policies: PolicyView[] = [...bundle.policies.values()]
    .map((meta) => ({
      id: meta.id,
      title: meta.title,
      action: meta.action,
      // A static copy shows the sources read-only.
      rego: { ...(opts.sources?.rego.get(meta.id)?.files ?? {}) },
    }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { webhook: opts.webhook, static: opts.static, config, policies };
}
