// The snapshot the page decides on: the bundle's bytes (fetched from the playground's server or
// the exported copy) and the webhook's config, resolved as the PolicyRuntime resolves them
// (resolvePolicies), evaluated inline: a page has no worker pool, and one decision at a time.
import type { Config } from '../../../config/schema';
import { bundleFromBytes } from '../../../policy/bundle-bytes';
import { InlineEvaluator } from '../../../policy/engine';
import type { Action } from '../../../policy/policy-meta';
import { resolvePolicies } from '../../../policy/policy-set';
import { prepareSnapshot, type PolicySnapshot } from '../../../policy/snapshot';

export interface BundleBytes {
  wasm: Uint8Array;
  data?: Uint8Array;
  manifest: Uint8Array;
}

/** The page's change to one policy's config entry: its action and parameters. */
export interface PolicyOverride {
  id: string;
  action?: Action;
  parameters?: Record<string, unknown>;
}

export async function pageSnapshot(
  name: string,
  files: BundleBytes,
  config: Config,
  override?: PolicyOverride,
): Promise<PolicySnapshot> {
  const bundle = await bundleFromBytes(name, files);
  const effective = override ? withOverride(config, override) : config;
  const { policies, problems } = resolvePolicies(bundle.policies, effective);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const limits = { maxMemoryBytes: config.evaluation.maxMemoryMiB * 1024 * 1024 };
  return prepareSnapshot({
    config: effective,
    policies,
    evaluator: new InlineEvaluator(bundle, limits),
  });
}

function withOverride(config: Config, o: PolicyOverride): Config {
  const own = config.policies[o.id] ?? {};
  const entry = {
    ...own,
    ...(o.action ? { action: o.action } : {}),
    ...(o.parameters ? { parameters: o.parameters } : {}),
  };
  return { ...config, policies: { ...config.policies, [o.id]: entry } } as Config;
}
