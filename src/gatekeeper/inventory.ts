// data.inventory, Gatekeeper's referential data: the objects policies look up, in Gatekeeper's
// layout (its target handler's ProcessData):
//   cluster[groupVersion][kind][name]                 objects with no metadata.namespace
//   namespace[ns][groupVersion][kind][name]           objects in namespace ns
// groupVersion is the object's apiVersion ("v1", "apps/v1"). The CLI fills it from files
// (`palisade eval --inventory`, a suite case's `inventory`); the webhook from watches (sync.ts).
// Each object is serialized once when it changes; the document is assembled from those texts,
// so a change costs one object's JSON plus the concatenation, not a re-serialization of all.
import type { KubeObject } from '../policy/request';
import type { InputProblem, SourceDocument } from '../policy/source/yaml';

export interface InventoryRef {
  /** groupVersion: the apiVersion ("v1", "networking.k8s.io/v1"). */
  apiVersion: string;
  kind: string;
  /** Empty or absent for a cluster-scoped object. */
  namespace?: string;
  name: string;
}

/** What put() did with an object. */
export type PutResult = 'added' | 'updated' | 'dropped';

export interface InventoryOptions {
  /** Objects kept at most (gatekeeper.sync.maxObjects); past it new objects are dropped. */
  maxObjects: number;
  /**
   * Drop fields no policy should need (managedFields, the last-applied annotation, status):
   * what the webhook keeps in memory. The CLI keeps objects whole, as gator does.
   */
  strip: boolean;
  /** Called once each time the cap is reached (again after the count fell below it). */
  onFull?: (dropped: InventoryRef) => void;
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * The object as kept in the webhook's inventory: without metadata.managedFields (server-side
 * apply bookkeeping, often larger than the object), the kubectl last-applied annotation (a
 * second copy of the object) and status (written by controllers; the library's referential
 * templates compare spec and metadata). Everything else is kept as the apiserver returned it.
 */
export function stripObject(object: KubeObject): KubeObject {
  const { status: _status, ...rest } = object as KubeObject & { status?: unknown };
  void _status;
  const metadata = { ...(rest.metadata ?? {}) } as Record<string, unknown>;
  delete metadata.managedFields;
  const annotations = metadata.annotations as Record<string, string> | undefined;
  if (annotations && LAST_APPLIED in annotations) {
    const { [LAST_APPLIED]: _applied, ...others } = annotations;
    void _applied;
    if (Object.keys(others).length > 0) metadata.annotations = others;
    else delete metadata.annotations;
  }
  return { ...rest, metadata } as KubeObject;
}

/** The object's place in the inventory; throws naming what is missing. */
export function inventoryRef(object: KubeObject): InventoryRef {
  const { apiVersion, kind } = object;
  const name = object.metadata?.name;
  const missing = [
    typeof apiVersion === 'string' && apiVersion ? undefined : 'apiVersion',
    typeof kind === 'string' && kind ? undefined : 'kind',
    typeof name === 'string' && name ? undefined : 'metadata.name',
  ].filter((m) => m !== undefined);
  if (missing.length > 0) {
    throw new Error(`an inventory object needs ${missing.join(', ')}`);
  }
  const namespace = object.metadata?.namespace;
  return {
    apiVersion: apiVersion as string,
    kind: kind as string,
    ...(typeof namespace === 'string' && namespace ? { namespace } : {}),
    name: name as string,
  };
}

function keyOf(ref: InventoryRef): string {
  return JSON.stringify([ref.namespace ?? '', ref.apiVersion, ref.kind, ref.name]);
}

interface Entry {
  ref: InventoryRef;
  json: string;
}

export class Inventory {
  private readonly entries = new Map<string, Entry>();
  private full = false;
  /** Objects refused because the inventory was full, since it was made. */
  dropped = 0;
  /** Bumped by every change; the sync feeds the evaluators when it moves. */
  version = 0;

  constructor(private readonly opts: InventoryOptions) {}

  get size(): number {
    return this.entries.size;
  }

  /** Adds or replaces an object; a new one past maxObjects is dropped (counted, onFull once). */
  put(object: KubeObject): PutResult {
    const ref = inventoryRef(object);
    const key = keyOf(ref);
    const known = this.entries.has(key);
    if (!known && this.entries.size >= this.opts.maxObjects) {
      this.dropped++;
      if (!this.full) {
        this.full = true;
        this.opts.onFull?.(ref);
      }
      return 'dropped';
    }
    const kept = this.opts.strip ? stripObject(object) : object;
    this.entries.set(key, { ref, json: JSON.stringify(kept) });
    this.version++;
    return known ? 'updated' : 'added';
  }

  /** Removes an object; false if it was not there. */
  remove(ref: InventoryRef): boolean {
    const removed = this.entries.delete(keyOf(ref));
    if (removed) {
      this.version++;
      if (this.entries.size < this.opts.maxObjects) this.full = false;
    }
    return removed;
  }

  /**
   * Replaces every object of one kind (apiVersion + kind) with `objects`: a watch's (re)list.
   * Returns how many were dropped by the cap.
   */
  replaceKind(apiVersion: string, kind: string, objects: readonly KubeObject[]): number {
    for (const [key, e] of this.entries) {
      if (e.ref.apiVersion === apiVersion && e.ref.kind === kind) this.entries.delete(key);
    }
    if (this.entries.size < this.opts.maxObjects) this.full = false;
    this.version++;
    let dropped = 0;
    for (const o of objects) if (this.put(o) === 'dropped') dropped++;
    return dropped;
  }

  /** data.inventory as serialized JSON, in Gatekeeper's layout. */
  toJSON(): string {
    const cluster: Tree = new Map();
    const namespace: Tree = new Map();
    for (const { ref, json } of this.entries.values()) {
      const path = ref.namespace
        ? [ref.namespace, ref.apiVersion, ref.kind]
        : [ref.apiVersion, ref.kind];
      let node = ref.namespace ? namespace : cluster;
      for (const seg of path) {
        let next = node.get(seg);
        if (!(next instanceof Map)) node.set(seg, (next = new Map()));
        node = next;
      }
      node.set(ref.name, json);
    }
    return `{"cluster":${render(cluster)},"namespace":${render(namespace)}}`;
  }

  /** The inventory as a value (tests, the CLI). */
  toValue(): unknown {
    return JSON.parse(this.toJSON());
  }
}

type Tree = Map<string, Tree | string>;

function render(tree: Tree): string {
  const members = [...tree].map(
    ([k, v]) => `${JSON.stringify(k)}:${typeof v === 'string' ? v : render(v)}`,
  );
  return `{${members.join(',')}}`;
}

/**
 * data.inventory of objects given to the CLI (`palisade eval --inventory`), kept whole, as gator
 * keeps a suite's inventory. An object without a name is a problem naming its file and line.
 */
export function inventoryOfDocuments(docs: readonly SourceDocument[]): {
  json: string;
  problems: InputProblem[];
} {
  const inventory = new Inventory({ maxObjects: Number.MAX_SAFE_INTEGER, strip: false });
  const problems: InputProblem[] = [];
  for (const d of docs) {
    try {
      inventory.put(d.object as KubeObject);
    } catch (thrown) {
      problems.push({ source: d.source, line: d.line, message: (thrown as Error).message });
    }
  }
  return { json: inventory.toJSON(), problems };
}
