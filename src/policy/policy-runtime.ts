// Holds the snapshot (config + bundle + evaluator) that decisions use, and replaces it on
// reload: the new one is built fully, then one reference is swapped. A bad config or bundle is
// refused with its reasons and the previous snapshot keeps serving. A decision holds its snapshot
// for as long as it runs (use()), and a replaced snapshot's evaluator is closed only once the
// last decision holding it has finished: a reload under traffic errors no request.
import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import type { Config } from '../config/schema';
import { PalisadeError } from '../errors';
import { loadBundle, type Bundle } from './bundle';
import { InlineEvaluator } from './engine';
import { resolvePolicies } from './policy-set';
import { PoolEvaluator } from './pool-evaluator';
import { prepareSnapshot, type PolicySnapshot } from './snapshot';

export type ReloadKind = 'config' | 'bundle';

export interface ReloadEvents {
  reloaded: [kind: ReloadKind];
  rejected: [kind: ReloadKind, error: Error];
}

type Built = PolicySnapshot & { bundle: Bundle };

/** A snapshot and the decisions running on it. */
interface Held {
  readonly snapshot: Built;
  users: number;
  retired: boolean;
}

export class PolicyRuntime extends EventEmitter<ReloadEvents> {
  private current: Held;
  /** Evaluators of replaced snapshots still closing (awaited by close()). */
  private readonly closing = new Set<Promise<void>>();

  private constructor(snapshot: Built) {
    super();
    this.current = { snapshot, users: 0, retired: false };
  }

  /** Loads the bundle named by the config; throws (coded) if either is unusable. */
  static async start(config: Config): Promise<PolicyRuntime> {
    const bundle = await loadBundle(config.bundle);
    return new PolicyRuntime(await build(config, bundle));
  }

  /** The snapshot now; a decision that awaits between reads of it should use use(). */
  get snapshot(): PolicySnapshot {
    return this.current.snapshot;
  }

  /**
   * Runs one decision on the current snapshot and keeps that snapshot's evaluator open until it
   * settles, even if a reload replaces the snapshot meanwhile.
   */
  async use<T>(decide: (snapshot: PolicySnapshot) => Promise<T>): Promise<T> {
    const held = this.current;
    held.users++;
    try {
      return await decide(held.snapshot);
    } finally {
      held.users--;
      if (held.retired && held.users === 0) this.retire(held);
    }
  }

  /** Applies a new config (already validated) against the current bundle. */
  async reloadConfig(config: Config): Promise<boolean> {
    return this.swap('config', async () => {
      const bundle =
        config.bundle === this.current.snapshot.config.bundle
          ? this.current.snapshot.bundle
          : await loadBundle(config.bundle);
      return build(config, bundle);
    });
  }

  /** Reloads the bundle from the config's bundle path. */
  async reloadBundle(): Promise<boolean> {
    return this.swap('bundle', async () =>
      build(this.current.snapshot.config, await loadBundle(this.current.snapshot.config.bundle)),
    );
  }

  /** Reports a config that failed before it could be applied (read or validation error). */
  reject(kind: ReloadKind, error: Error): void {
    this.emit('rejected', kind, error);
  }

  /** Closes the current evaluator and waits for replaced ones to finish closing. */
  async close(): Promise<void> {
    await Promise.all([this.current.snapshot.evaluator.close(), ...this.closing]);
  }

  private async swap(kind: ReloadKind, make: () => Promise<Built>): Promise<boolean> {
    let next: Built;
    try {
      next = await make();
    } catch (thrown) {
      this.emit('rejected', kind, thrown instanceof Error ? thrown : new Error(String(thrown)));
      return false;
    }
    const previous = this.current;
    this.current = { snapshot: next, users: 0, retired: false };
    previous.retired = true;
    if (previous.users === 0) this.retire(previous);
    this.emit('reloaded', kind);
    return true;
  }

  /** Closes a replaced snapshot's evaluator once nothing uses it. */
  private retire(held: Held): void {
    // close() of an evaluator does not fail in practice; if it did, the old pool would only linger.
    const closed: Promise<void> = held.snapshot.evaluator
      .close()
      .catch(() => undefined)
      .then(() => void this.closing.delete(closed));
    this.closing.add(closed);
  }
}

async function build(config: Config, bundle: Bundle): Promise<Built> {
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
  const evaluator = threads === 0 ? inline : new PoolEvaluator(bundle, limits, { threads });
  return prepareSnapshot({ config, bundle, policies, evaluator });
}
