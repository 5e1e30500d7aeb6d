// The webhook's data.inventory: watches (src/kube reflectors) of the kinds to sync, kept in an
// Inventory (stripped, capped) and handed to the evaluators with setInventory once per change:
// a burst of events (a list of thousands, a rollout) is coalesced into one setData, never one
// per request. The kinds are config gatekeeper.sync.kinds plus the syncOnly list of Gatekeeper's
// Config object (config.gatekeeper.sh/v1alpha1, gatekeeper-system/config) when the cluster has
// one; a change of that object starts and stops watches as Gatekeeper's sync controller does.
import type { Logger } from 'pino';
import type { Config } from '../config/schema';
import { describeThrown } from '../errors';
import type { KubeObject as PolicyObject } from '../policy/request';
import { Reflector, resourceSource } from '../kube/reflector';
import {
  openKubeResources,
  type GroupVersionKind,
  type KubeObject,
  type KubeResources,
  type ResourceInfo,
} from '../kube/resources';
import { Inventory, inventoryRef } from './inventory';

/** Gatekeeper's Config object: where its sync list lives. */
export const GATEKEEPER_CONFIG: GroupVersionKind = {
  group: 'config.gatekeeper.sh',
  version: 'v1alpha1',
  kind: 'Config',
};
export const GATEKEEPER_CONFIG_NAMESPACE = 'gatekeeper-system';
export const GATEKEEPER_CONFIG_NAME = 'config';

export interface InventorySyncOptions {
  kube: KubeResources;
  /** The PolicyRuntime (or anything taking data.inventory as serialized JSON). */
  target: { setInventory(inventoryJson: string): Promise<void> };
  sync: Config['gatekeeper']['sync'];
  logger: Logger;
  /** Objects held after each change, for palisade_inventory_objects. */
  onSize?: (objects: number) => void;
  /** Each object refused by the cap, for palisade_inventory_dropped_total. */
  onDropped?: (count: number) => void;
  /** Where Gatekeeper's Config is read (default gatekeeper-system/config); null: not read. */
  gatekeeperConfig?: { namespace: string; name: string } | null;
}

export function gvkKey(k: GroupVersionKind): string {
  return `${k.group ? `${k.group}/` : ''}${k.version}/${k.kind}`;
}

/** `spec.sync.syncOnly` of a Gatekeeper Config: [{group, version, kind}]; bad entries skipped. */
export function syncOnlyOf(config: KubeObject | undefined): GroupVersionKind[] {
  const list = (config?.spec as { sync?: { syncOnly?: unknown } } | undefined)?.sync?.syncOnly;
  if (!Array.isArray(list)) return [];
  return list.flatMap((e) => {
    const o = (e ?? {}) as Record<string, unknown>;
    if (typeof o.version !== 'string' || !o.version || typeof o.kind !== 'string' || !o.kind) {
      return [];
    }
    return [
      { group: typeof o.group === 'string' ? o.group : '', version: o.version, kind: o.kind },
    ];
  });
}

export class InventorySync {
  readonly inventory: Inventory;
  private readonly watches = new Map<string, { reflector: Reflector<KubeObject> }>();
  private configWatch: Reflector<KubeObject> | undefined;
  private fromGatekeeper: GroupVersionKind[] = [];
  private flushing: Promise<void> | undefined;
  private again = false;
  private sent = -1;
  private stopped = false;
  private dropped = 0;
  /** reconcile() runs one at a time (the Config watch and start() both call it). */
  private reconciling: Promise<void> = Promise.resolve();

  constructor(private readonly o: InventorySyncOptions) {
    this.inventory = new Inventory({
      maxObjects: o.sync.maxObjects,
      strip: true,
      onFull: (ref) =>
        o.logger.warn(
          { maxObjects: o.sync.maxObjects, dropped: ref },
          `data.inventory is full (gatekeeper.sync.maxObjects ${o.sync.maxObjects}): new objects are dropped and policies that look them up do not see them; raise the limit or sync fewer kinds`,
        ),
    });
  }

  /** Starts the watches; resolves once every kind has been listed once and handed over. */
  async start(): Promise<void> {
    const where =
      this.o.gatekeeperConfig === undefined ? defaultConfigAt() : this.o.gatekeeperConfig;
    if (where) await this.watchGatekeeperConfig(where);
    await this.reconcile();
    await Promise.all([...this.watches.values()].map((w) => w.reflector.synced));
    await this.flushNow();
  }

  stop(): void {
    this.stopped = true;
    this.configWatch?.stop();
    for (const w of this.watches.values()) w.reflector.stop();
    this.watches.clear();
  }

  /** The kinds synced now: the config's and Gatekeeper's syncOnly, without duplicates. */
  kinds(): GroupVersionKind[] {
    const all = new Map<string, GroupVersionKind>();
    for (const k of [...this.o.sync.kinds, ...this.fromGatekeeper]) all.set(gvkKey(k), k);
    return [...all.values()];
  }

  /** Starts watches of kinds newly named, stops those no longer named (their objects go). */
  private reconcile(): Promise<void> {
    const run = this.reconciling.then(() => this.reconcileNow());
    this.reconciling = run.catch(() => undefined);
    return run;
  }

  private async reconcileNow(): Promise<void> {
    const wanted = new Map(this.kinds().map((k) => [gvkKey(k), k]));
    for (const [key, w] of this.watches) {
      if (wanted.has(key)) continue;
      w.reflector.stop();
      this.watches.delete(key);
      const k = parseKey(key);
      this.inventory.replaceKind(apiVersionOf(k), k.kind, []);
      this.schedule();
    }
    for (const [key, k] of wanted) {
      if (this.watches.has(key) || this.stopped) continue;
      let info: ResourceInfo | undefined;
      try {
        info = await this.o.kube.resolve(k);
      } catch (thrown) {
        this.o.logger.warn(
          { kind: key, err: describeThrown(thrown) },
          'cannot resolve a kind to sync into data.inventory',
        );
        continue;
      }
      if (!info) {
        this.o.logger.warn(
          { kind: key },
          `the apiserver does not serve ${key}: not synced into data.inventory`,
        );
        continue;
      }
      this.watches.set(key, { reflector: this.watchKind(info) });
    }
  }

  private watchKind(info: ResourceInfo): Reflector<KubeObject> {
    const { apiVersion, kind } = info;
    let listed: KubeObject[] = [];
    // List items come without apiVersion and kind; every object is filed under the synced one.
    const typed = (o: KubeObject) => ({ ...o, apiVersion, kind }) as PolicyObject;
    const reflector = new Reflector<KubeObject>(
      resourceSource(this.o.kube, info),
      {
        onListStart: () => void (listed = []),
        onListPage: (items) => void listed.push(...items),
        onListDone: () => {
          this.countDropped(this.inventory.replaceKind(apiVersion, kind, listed.map(typed)));
          listed = [];
          this.schedule();
        },
        onEvent: (type, obj) => {
          const o = typed(obj);
          if (type === 'DELETED') this.inventory.remove(inventoryRef(o));
          else if (this.inventory.put(o) === 'dropped') this.countDropped(1);
          this.schedule();
        },
      },
      this.o.logger,
      {
        name: `${gvkKey(info)} (data.inventory)`,
        failureNote: 'data.inventory keeps the objects last seen',
      },
    );
    reflector.start();
    return reflector;
  }

  private async watchGatekeeperConfig(at: { namespace: string; name: string }): Promise<void> {
    let info: ResourceInfo | undefined;
    try {
      info = await this.o.kube.resolve(GATEKEEPER_CONFIG);
    } catch {
      info = undefined;
    }
    // No Config CRD (Gatekeeper never installed): the config's kinds alone.
    if (!info) return;
    // One bounded read first: without permission (RBAC) the reflector would retry forever and
    // the configured kinds would wait for it. Then the Config is not read; say so once.
    try {
      await this.o.kube.listPage(info, { namespace: at.namespace, limit: 1 });
    } catch (thrown) {
      this.o.logger.warn(
        { err: describeThrown(thrown) },
        `cannot read Gatekeeper's Config objects in ${at.namespace}: only gatekeeper.sync.kinds are synced into data.inventory`,
      );
      return;
    }
    const source = resourceSource(this.o.kube, info, { namespace: at.namespace });
    let seen: KubeObject | undefined;
    const apply = () => {
      const next = seen ? syncOnlyOf(seen) : [];
      if (JSON.stringify(next) === JSON.stringify(this.fromGatekeeper)) return;
      this.fromGatekeeper = next;
      this.o.logger.info(
        { syncOnly: next.map(gvkKey) },
        `Gatekeeper Config ${at.namespace}/${at.name}: syncing its kinds into data.inventory`,
      );
      void this.reconcile();
    };
    let listedConfig: KubeObject | undefined;
    this.configWatch = new Reflector<KubeObject>(
      source,
      {
        onListStart: () => void (listedConfig = undefined),
        onListPage: (items) => {
          listedConfig = items.find((i) => i.metadata?.name === at.name) ?? listedConfig;
        },
        onListDone: () => {
          seen = listedConfig;
          apply();
        },
        onEvent: (type, obj) => {
          if (obj.metadata?.name !== at.name) return;
          seen = type === 'DELETED' ? undefined : obj;
          apply();
        },
      },
      this.o.logger,
      { name: 'Gatekeeper Config (sync)', failureNote: 'the kinds it names keep their watches' },
    );
    this.configWatch.start();
    await this.configWatch.synced;
  }

  private countDropped(n: number): void {
    if (n <= 0) return;
    this.dropped += n;
    this.o.onDropped?.(n);
  }

  /** A flush soon: every change until then goes in the same setData. */
  private schedule(): void {
    if (this.flushing) {
      this.again = true;
      return;
    }
    this.flushing = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
  }

  /** Waits for the flush under way (and any it scheduled), or flushes now. */
  async flushNow(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.inventory.version !== this.sent) {
      this.schedule();
      await this.flushing;
    }
  }

  private async flush(): Promise<void> {
    try {
      const version = this.inventory.version;
      if (version !== this.sent && !this.stopped) {
        await this.o.target.setInventory(this.inventory.toJSON());
        this.sent = version;
        this.o.onSize?.(this.inventory.size);
      }
    } catch (thrown) {
      this.o.logger.error(
        { err: describeThrown(thrown), objects: this.inventory.size },
        'cannot hand data.inventory to the evaluators; they keep the previous one',
      );
    } finally {
      this.flushing = undefined;
      if (this.again) {
        this.again = false;
        this.schedule();
      }
    }
  }
}

function defaultConfigAt(): { namespace: string; name: string } {
  return { namespace: GATEKEEPER_CONFIG_NAMESPACE, name: GATEKEEPER_CONFIG_NAME };
}

function apiVersionOf(k: GroupVersionKind): string {
  return k.group ? `${k.group}/${k.version}` : k.version;
}

function parseKey(key: string): GroupVersionKind {
  const parts = key.split('/');
  return parts.length === 3
    ? { group: parts[0]!, version: parts[1]!, kind: parts[2]! }
    : { group: '', version: parts[0]!, kind: parts[1]! };
}

/** Whether the webhook syncs data.inventory: kinds are configured, or Gatekeeper mode is on. */
export function syncWanted(config: Config): boolean {
  return config.gatekeeper.enabled || config.gatekeeper.sync.kinds.length > 0;
}

/**
 * main.ts's entry: opens the cluster (config.kubernetes.kubeconfig) and starts the sync in the
 * background: decisions before the first lists complete see the objects synced so far. A
 * failure to reach the cluster is logged; the reflectors retry.
 */
export async function startInventorySync(
  config: Config,
  target: InventorySyncOptions['target'],
  logger: Logger,
  counters: Pick<InventorySyncOptions, 'onSize' | 'onDropped'>,
): Promise<InventorySync | undefined> {
  if (!syncWanted(config)) return undefined;
  let kube: KubeResources;
  try {
    kube = await openKubeResources(config.kubernetes.kubeconfig);
  } catch (thrown) {
    logger.error(
      { err: describeThrown(thrown) },
      'cannot reach the Kubernetes API: data.inventory stays empty',
    );
    return undefined;
  }
  const sync = new InventorySync({
    kube,
    target,
    sync: config.gatekeeper.sync,
    logger,
    ...counters,
  });
  sync.start().then(
    () =>
      logger.info(
        { objects: sync.inventory.size, kinds: sync.kinds().map(gvkKey) },
        'data.inventory synced',
      ),
    (thrown: unknown) =>
      logger.error({ err: describeThrown(thrown) }, 'data.inventory sync failed to start'),
  );
  return sync;
}
