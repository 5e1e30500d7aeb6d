// Holds the snapshot (config + bundle + evaluator) that decisions use, and replaces it on
// reload: the new one is built fully, then one reference is swapped. A bad config or bundle is
// refused with its reasons and the previous snapshot keeps serving. A decision holds its snapshot
// for as long as it runs (use()), and a replaced snapshot's evaluator is closed only once the
// last decision holding it has finished: a reload under traffic errors no request.
// A remote bundle source (src/bundles) hands each verified bundle to activate(), under the same
// rules; until the first one arrives the runtime is pending: not ready, and every decision that
// is not exempt is answered by the failure mode with the reason (no-bundle.ts).
import { EventEmitter } from 'node:events';
import type { Config } from '../config/schema';
import { cpuLimit } from '../cpu-quota';
import { PalisadeError } from '../errors';
import { loadBundle, type Bundle } from './bundle';
import { InlineEvaluator } from './engine';
import { resolvePolicies, type EffectivePolicy } from './policy-set';
import { noBundleSnapshot } from './no-bundle';
import { PoolEvaluator } from './pool-evaluator';
import { SyncWorkerEvaluator } from './sync-worker-evaluator';
import { prepareSnapshot, type PolicySnapshot } from './snapshot';

export type ReloadKind = 'config' | 'bundle' | 'constraints';

export interface ReloadEvents {
  reloaded: [kind: ReloadKind];
  rejected: [kind: ReloadKind, error: Error];
}

/** A snapshot and its bundle (none while pending). */
type Built = PolicySnapshot & { bundle?: Bundle };

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

  private pendingReason: string | undefined;
  /** Gatekeeper constraints (setConstraints), kept across config and bundle reloads. */
  private constraintSet: readonly EffectivePolicy[] = Object.freeze([]);
  /** data.inventory (setInventory), kept across every rebuild of the snapshot. */
  private inventory: string | undefined;
  /** The last build-and-swap; the next one waits for it (serial()). */
  private queue: Promise<void> = Promise.resolve();

  private constructor(snapshot: Built, pendingReason?: string) {
    super();
    this.current = { snapshot, users: 0, retired: false };
    this.pendingReason = pendingReason;
  }

  /** Loads the bundle named by the config; throws (coded) if either is unusable. */
  static async start(config: Config): Promise<PolicyRuntime> {
    const bundle = await loadBundle(config.bundle.source);
    return new PolicyRuntime(await build(config, bundle));
  }

  /**
   * A runtime with no bundle yet (a remote source's first one is on its way): not ready, and
   * `reason` says why in /readyz and in the answers the failure mode gives.
   */
  static pending(config: Config, reason: string): PolicyRuntime {
    return new PolicyRuntime(noBundleSnapshot(config, reason), reason);
  }

  /** Why no bundle serves (pending), or undefined once one does. */
  get unavailable(): string | undefined {
    return this.current.snapshot.bundle ? undefined : this.pendingReason;
  }

  /** While pending, says why in a new no-bundle snapshot (e.g. the first download failed). */
  stillPending(reason: string): void {
    if (this.current.snapshot.bundle) return;
    this.pendingReason = reason;
    this.replace(noBundleSnapshot(this.current.snapshot.config, reason));
  }

  /**
   * Swaps in a bundle that was verified elsewhere (a remote source), against the current config:
   * built and instantiated once before it serves, like a reload. Throws (coded) if it cannot
   * serve; the previous snapshot keeps serving.
   */
  async activate(bundle: Bundle): Promise<void> {
    await this.serial(async () => {
      this.replace(
        await build(this.current.snapshot.config, bundle, this.constraintSet, this.inventory),
      );
    });
    this.emit('reloaded', 'bundle');
  }

  /** The Gatekeeper constraints in force (src/gatekeeper/policies.ts makes them). */
  get constraints(): readonly EffectivePolicy[] {
    return this.constraintSet;
  }

  /**
   * Replaces the Gatekeeper constraints: a new snapshot over the same bundle (no compile; only a
   * template change needs one). Refused (false, `rejected` emitted, the previous one serving)
   * when a constraint's template is not in the bundle or no bundle serves yet.
   */
  async setConstraints(constraints: readonly EffectivePolicy[]): Promise<boolean> {
    const list = Object.freeze([...constraints]);
    return this.swap('constraints', async () => {
      const now = this.current.snapshot;
      if (!now.bundle) {
        throw new PalisadeError('PAL_ERR_BUNDLE_UNAVAILABLE', [this.unavailable ?? 'pending']);
      }
      const next = await build(now.config, now.bundle, list, this.inventory);
      this.constraintSet = list;
      return next;
    });
  }

  /**
   * Sets data.inventory (serialized JSON, Gatekeeper's layout) in the serving evaluator and in
   * every snapshot built after it (a config, bundle or constraint reload keeps it). Runs after
   * the build-and-swap in progress, so a snapshot being built cannot miss it. Throws (coded,
   * e.g. PAL_ERR_WASM_MEMORY past evaluation.maxMemoryMiB); the previous inventory then stays.
   */
  async setInventory(inventoryJson: string): Promise<void> {
    await this.serial(async () => {
      await this.current.snapshot.evaluator.setInventory?.(inventoryJson);
      this.inventory = inventoryJson;
    });
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

  /**
   * Applies a new config (already validated) against the current bundle, or the bundle of its
   * new directory. A remote source is read at start: a change of bundle settings while one is in
   * use (or to one) is refused until a restart.
   */
  async reloadConfig(config: Config): Promise<boolean> {
    return this.swap('config', async () => {
      const now = this.current.snapshot;
      if (JSON.stringify(config.bundle) === JSON.stringify(now.config.bundle)) {
        return now.bundle
          ? build(config, now.bundle, this.constraintSet, this.inventory)
          : noBundleSnapshot(config, this.unavailable!);
      }
      if (isRemote(config.bundle.source) || isRemote(now.config.bundle.source)) {
        throw new PalisadeError('PAL_ERR_CONFIG_INVALID', [
          'bundle',
          '  a remote bundle source (oci://, https://) and its settings are read at start: restart Palisade to change them',
        ]);
      }
      return build(
        config,
        await loadBundle(config.bundle.source),
        this.constraintSet,
        this.inventory,
      );
    });
  }

  /** Reloads the bundle from the config's bundle directory. */
  async reloadBundle(): Promise<boolean> {
    return this.swap('bundle', async () =>
      build(
        this.current.snapshot.config,
        await loadBundle(this.current.snapshot.config.bundle.source),
        this.constraintSet,
        this.inventory,
      ),
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
    try {
      await this.serial(async () => this.replace(await make()));
    } catch (thrown) {
      this.emit('rejected', kind, thrown instanceof Error ? thrown : new Error(String(thrown)));
      return false;
    }
    this.emit('reloaded', kind);
    return true;
  }

  /**
   * Runs one build-and-swap after the ones before it: each builds on the snapshot the previous
   * one left (a config reload and a new remote bundle at once must not undo each other).
   */
  private serial(step: () => Promise<void>): Promise<void> {
    const run = this.queue.then(step);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The one swap of the reference; the previous snapshot retires once unused. */
  private replace(next: Built): void {
    const previous = this.current;
    this.current = { snapshot: next, users: 0, retired: false };
    previous.retired = true;
    if (previous.users === 0) this.retire(previous);
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

/** bundle.source is an oci:// reference or an https:// URL (src/bundles fetches those). */
function isRemote(source: string): boolean {
  return /^(oci|https):\/\//.test(source);
}

async function build(
  config: Config,
  bundle: Bundle,
  constraints: readonly EffectivePolicy[] = [],
  inventory?: string,
): Promise<Built> {
  const resolved = resolvePolicies(bundle.policies, config);
  const problems = [...resolved.problems, ...constraintProblems(bundle, constraints)];
  if (problems.length > 0) {
    throw new PalisadeError('PAL_ERR_CONFIG_INVALID', [
      'policies',
      problems.map((p) => `  ${p}`).join('\n'),
    ]);
  }
  const policies = withConstraints(resolved.policies, constraints);
  // Instantiating on this thread first proves the bundle runs with our host builtins before it
  // serves (a pool would only fail later, inside a worker).
  const limits = { maxMemoryBytes: config.evaluation.maxMemoryMiB * 1024 * 1024 };
  new InlineEvaluator(bundle, limits);
  const ev = config.evaluation;
  const threads = ev.workers === 'auto' ? autoWorkers() : ev.workers;
  const evaluator =
    threads === 0
      ? new SyncWorkerEvaluator(bundle, limits)
      : new PoolEvaluator(bundle, limits, { threads });
  // The evaluator proves the inventory fits the memory cap before the snapshot serves.
  if (inventory !== undefined) await evaluator.setInventory(inventory);
  return prepareSnapshot({ config, bundle, policies, evaluator });
}

/**
 * `evaluation.workers: auto`, from the CPUs the pod may use (its CPU limit, src/cpu-quota.ts),
 * not the node's cores: with one CPU, none (one long-lived worker the event loop waits for in
 * Atomics.wait, sync-worker-evaluator.ts: a pool would only add a thread hand-off and an event
 * loop round trip per request for the same one CPU, docs/performance.md); with more, one worker
 * per CPU.
 */
export function autoWorkers(cpus = cpuLimit().cpus): number {
  return cpus <= 1 ? 0 : cpus;
}

/** The built-in policies and the constraints: one frozen set, in id order. */
function withConstraints(
  policies: readonly EffectivePolicy[],
  constraints: readonly EffectivePolicy[],
): readonly EffectivePolicy[] {
  if (constraints.length === 0) return policies;
  const all = [...policies, ...constraints];
  return Object.freeze(all.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
}

/** A constraint whose template the bundle lacks, or whose id a policy already has. */
function constraintProblems(bundle: Bundle, constraints: readonly EffectivePolicy[]): string[] {
  const out: string[] = [];
  const seen = new Set(bundle.policies.keys());
  for (const c of constraints) {
    const template = c.constraint?.template;
    if (template === undefined || !bundle.templates.has(template)) {
      out.push(`constraint ${c.id}: its ConstraintTemplate ${template} is not in the bundle`);
    }
    if (seen.has(c.id)) out.push(`constraint ${c.id}: the id is taken`);
    seen.add(c.id);
  }
  return out;
}
