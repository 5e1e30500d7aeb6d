// Holds the snapshot (config + bundle + evaluator) that decisions use, and replaces it on
// reload: the new one is built fully, then one reference is swapped. A bad config or bundle is
// refused with its reasons and the previous snapshot keeps serving.
import { EventEmitter } from 'node:events';
import type { PolicySnapshot } from '../admission/handler';
import type { Config } from '../config/schema';
import { PalisadeError } from '../errors';
import { loadBundle, type Bundle } from './bundle';
import { availableParallelism } from 'node:os';
import { InlineEvaluator } from './engine';
import { PoolEvaluator } from './pool-evaluator';
import { resolvePolicies } from './policy-set';

export type ReloadKind = 'config' | 'bundle';

export interface ReloadEvents {
  reloaded: [kind: ReloadKind];
  rejected: [kind: ReloadKind, error: Error];
}

export class PolicyRuntime extends EventEmitter<ReloadEvents> {
  private current: PolicySnapshot & { bundle: Bundle };

  private constructor(snapshot: PolicySnapshot & { bundle: Bundle }) {
    super();
    this.current = snapshot;
  }

  /** Loads the bundle named by the config; throws (coded) if either is unusable. */
  static async start(config: Config): Promise<PolicyRuntime> {
    const bundle = await loadBundle(config.bundle);
    return new PolicyRuntime(await build(config, bundle));
  }

  get snapshot(): PolicySnapshot {
    return this.current;
  }

  get bundle(): Bundle {
    return this.current.bundle;
  }

  /** Applies a new config (already validated) against the current bundle. */
  async reloadConfig(config: Config): Promise<boolean> {
    return this.swap('config', async () => {
      const bundle =
        config.bundle === this.current.config.bundle
          ? this.current.bundle
          : await loadBundle(config.bundle);
      return build(config, bundle);
    });
  }

  /** Reloads the bundle from the config's bundle path. */
  async reloadBundle(): Promise<boolean> {
    return this.swap('bundle', async () =>
      build(this.current.config, await loadBundle(this.current.config.bundle)),
    );
  }

  /** Reports a config that failed before it could be applied (read or validation error). */
  reject(kind: ReloadKind, error: Error): void {
    this.emit('rejected', kind, error);
  }

  async close(): Promise<void> {
    await this.current.evaluator.close();
  }

  private async swap(
    kind: ReloadKind,
    make: () => Promise<PolicySnapshot & { bundle: Bundle }>,
  ): Promise<boolean> {
    let next: PolicySnapshot & { bundle: Bundle };
    try {
      next = await make();
    } catch (thrown) {
      this.emit('rejected', kind, thrown instanceof Error ? thrown : new Error(String(thrown)));
      return false;
    }
    const previous = this.current;
    this.current = next;
    this.emit('reloaded', kind);
    await previous.evaluator.close();
    return true;
  }
}

async function build(config: Config, bundle: Bundle): Promise<PolicySnapshot & { bundle: Bundle }> {
  const { policies, problems } = resolvePolicies(bundle.policies, config);
  if (problems.length > 0) {
    throw new PalisadeError('PAL_ERR_CONFIG_INVALID', [
      'policies',
      problems.map((p) => `  ${p}`).join('\n'),
    ]);
  }
  // Instantiating on this thread first proves the bundle runs with our host builtins before it
  // serves (a pool would only fail later, inside a worker).
  const limits = { maxMemoryBytes: config.evaluation.maxMemoryMiB * 1024 * 1024 };
  const inline = new InlineEvaluator(bundle, limits);
  const ev = config.evaluation;
  const threads = ev.workers === 'auto' ? availableParallelism() : ev.workers;
  const evaluator =
    threads === 0
      ? inline
      : new PoolEvaluator(bundle, limits, { threads, deadlineMs: ev.deadlineMs });
  return { config, bundle, policies, evaluator };
}
