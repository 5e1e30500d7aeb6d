// Any kind through one client: API discovery (kind → plural and scope), lists page by page
// (limit/continue), watches, and the writes Reports, CRDs and statuses need. Objects travel as
// the apiserver's raw JSON: client-node's typed models would turn timestamps into Date objects
// and drop fields they do not know, and the audit must evaluate the object as stored. So the
// requests go over https-transport.ts (node:https with client-node's own credentials) and
// watches use client-node's Watch.
import { apiStatus, loadKubeConfig } from './client';
import { httpsTransport, type Transport } from './https-transport';

export { KubeApiError, type Transport } from './https-transport';

/** group '' is the core group (/api/v1). */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface ResourceInfo extends GroupVersionKind {
  /** The resource's name in its path: "pods", "reports". */
  plural: string;
  namespaced: boolean;
  /** As discovery lists them: "list", "watch", "patch", ... */
  verbs: string[];
  /** "v1" or "apps/v1". */
  apiVersion: string;
}

export interface KubeObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [k: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: KubeObjectMeta;
  [k: string]: unknown;
}

export interface ListPage<T = KubeObject> {
  items: T[];
  resourceVersion: string;
  continue?: string;
}

export interface WatchHandle {
  abort(): void;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface ListOptions {
  /** Unset on a namespaced kind: every namespace. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface ListAllOptions extends ListOptions {
  limit: number;
  /** Awaited before the next page is asked for: one page in memory at a time. */
  onPage(items: KubeObject[]): void | Promise<void>;
  /** The continue token expired (410) and the list starts over: drop what was gathered. */
  onRestart?(): void;
  signal?: AbortSignal;
}

export interface WatchOptions extends ListOptions {
  resourceVersion: string;
  timeoutSeconds: number;
}

export type PatchType = 'merge' | 'json' | 'apply';

export interface KubeResources {
  resolve(gvk: GroupVersionKind): Promise<ResourceInfo | undefined>;
  resourcesOf(group: string, version: string): Promise<ResourceInfo[]>;
  forgetDiscovery(): void;
  listPage(
    r: ResourceInfo,
    o?: ListOptions & { limit?: number; continue?: string },
  ): Promise<ListPage>;
  listAll(r: ResourceInfo, o: ListAllOptions): Promise<{ resourceVersion: string }>;
  watch(
    r: ResourceInfo,
    o: WatchOptions,
    onEvent: (type: WatchEventType, obj: KubeObject) => void,
    done: (err?: unknown) => void,
  ): Promise<WatchHandle>;
  get(r: ResourceInfo, name: string, namespace?: string): Promise<KubeObject | null>;
  create(r: ResourceInfo, obj: KubeObject, o?: { fieldManager?: string }): Promise<KubeObject>;
  replace(
    r: ResourceInfo,
    obj: KubeObject,
    o?: { subresource?: 'status'; fieldManager?: string },
  ): Promise<KubeObject>;
  patch(
    r: ResourceInfo,
    name: string,
    namespace: string | undefined,
    patch: unknown,
    o: { type: PatchType; fieldManager?: string; force?: boolean; subresource?: 'status' },
  ): Promise<KubeObject>;
  delete(
    r: ResourceInfo,
    name: string,
    namespace?: string,
    o?: { propagationPolicy?: 'Background' | 'Foreground' | 'Orphan' },
  ): Promise<boolean>;
  upsert(r: ResourceInfo, obj: KubeObject, o?: { fieldManager?: string }): Promise<KubeObject>;
}

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml', // JSON is YAML: the body stays JSON
};

/** The path of a kind's collection, or of one object with `name`. */
export function resourcePath(
  r: Pick<ResourceInfo, 'group' | 'version' | 'plural' | 'namespaced'>,
  namespace?: string,
  name?: string,
  subresource?: string,
): string {
  const parts = [r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`];
  if (r.namespaced && namespace) parts.push('namespaces', encodeURIComponent(namespace));
  parts.push(r.plural);
  if (name !== undefined) parts.push(encodeURIComponent(name));
  if (subresource) parts.push(subresource);
  return parts.join('/');
}

function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

class ContinueExpired extends Error {
  constructor(override readonly cause: unknown) {
    super('the list continue token expired');
  }
}

interface DiscoveryResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs?: string[];
}

/** A KubeResources over a transport; `watcher` starts client-node watches. */
export function kubeResourcesOver(
  transport: Transport,
  watcher: (
    path: string,
    params: Record<string, string | number | boolean | undefined>,
    onEvent: (type: string, obj: unknown) => void,
    done: (err?: unknown) => void,
  ) => Promise<WatchHandle>,
): KubeResources {
  const discovery = new Map<string, Promise<ResourceInfo[]>>();

  const readGroupVersion = async (group: string, version: string): Promise<ResourceInfo[]> => {
    const path = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
    let list: { resources?: DiscoveryResource[] };
    try {
      list = (await transport.call('GET', path)) as { resources?: DiscoveryResource[] };
    } catch (err) {
      if (apiStatus(err) === 404) return []; // group/version not served
      throw err;
    }
    const apiVersion = group === '' ? version : `${group}/${version}`;
    return (list.resources ?? [])
      .filter((res) => !res.name.includes('/')) // subresources: pods/status, pods/log
      .map((res) => ({
        group,
        version,
        kind: res.kind,
        plural: res.name,
        namespaced: res.namespaced,
        verbs: res.verbs ?? [],
        apiVersion,
      }));
  };

  const resourcesOf = (group: string, version: string, fresh = false) => {
    const key = `${group}/${version}`;
    let entry = discovery.get(key);
    if (!entry || fresh) {
      entry = readGroupVersion(group, version);
      discovery.set(key, entry);
      entry.catch(() => discovery.delete(key)); // a failure is not cached
    }
    return entry;
  };

  const get = async (r: ResourceInfo, name: string, namespace?: string) => {
    try {
      return (await transport.call('GET', resourcePath(r, namespace, name))) as KubeObject;
    } catch (err) {
      if (apiStatus(err) === 404) return null;
      throw err;
    }
  };

  const listPage: KubeResources['listPage'] = async (r, o = {}) => {
    const path =
      resourcePath(r, o.namespace) +
      query({
        limit: o.limit,
        continue: o.continue,
        labelSelector: o.labelSelector,
        fieldSelector: o.fieldSelector,
      });
    const list = (await transport.call('GET', path)) as {
      items?: KubeObject[];
      metadata?: { resourceVersion?: string; continue?: string };
    };
    // Items of a list carry no apiVersion/kind: give them back, as client-go's decoder does.
    const items = (list.items ?? []).map((item) => ({
      apiVersion: r.apiVersion,
      kind: r.kind,
      ...item,
    }));
    return {
      items,
      resourceVersion: list.metadata?.resourceVersion ?? '',
      continue: list.metadata?.continue || undefined,
    };
  };

  /** Every page in turn; the list's resourceVersion. */
  const listPages = async (r: ResourceInfo, o: ListAllOptions): Promise<string> => {
    let token: string | undefined;
    for (;;) {
      o.signal?.throwIfAborted();
      let page: ListPage;
      try {
        page = await listPage(r, { ...o, continue: token });
      } catch (err) {
        if (token && apiStatus(err) === 410) throw new ContinueExpired(err);
        throw err;
      }
      await o.onPage(page.items);
      token = page.continue;
      if (!token) return page.resourceVersion;
    }
  };

  const resources: KubeResources = {
    async resolve(gvk) {
      const find = (all: ResourceInfo[]) => all.find((res) => res.kind === gvk.kind);
      const cached = find(await resourcesOf(gvk.group, gvk.version));
      if (cached) return cached;
      return find(await resourcesOf(gvk.group, gvk.version, true));
    },
    resourcesOf: (group, version) => resourcesOf(group, version),
    forgetDiscovery: () => discovery.clear(),
    listPage,
    async listAll(r, o) {
      // A continue token that expired (etcd compacted past it) starts the list over, as
      // client-go's pager falls back to a full list; a few times, not forever.
      for (let attempt = 1; ; attempt++) {
        try {
          return { resourceVersion: await listPages(r, o) };
        } catch (err) {
          if (!(err instanceof ContinueExpired)) throw err;
          if (attempt >= 3) throw err.cause;
          o.onRestart?.();
        }
      }
    },
    watch(r, o, onEvent, done) {
      return watcher(
        resourcePath(r, o.namespace),
        {
          resourceVersion: o.resourceVersion,
          timeoutSeconds: o.timeoutSeconds,
          allowWatchBookmarks: true,
          labelSelector: o.labelSelector,
          fieldSelector: o.fieldSelector,
        },
        (type, obj) => onEvent(type as WatchEventType, obj as KubeObject),
        done,
      );
    },
    get,
    async create(r, obj, o = {}) {
      const path =
        resourcePath(r, obj.metadata?.namespace) + query({ fieldManager: o.fieldManager });
      return (await transport.call('POST', path, obj)) as KubeObject;
    },
    async replace(r, obj, o = {}) {
      const name = obj.metadata?.name;
      if (!name) throw new Error(`replace ${r.kind}: metadata.name is missing`);
      const path =
        resourcePath(r, obj.metadata?.namespace, name, o.subresource) +
        query({ fieldManager: o.fieldManager });
      return (await transport.call('PUT', path, obj)) as KubeObject;
    },
    async patch(r, name, namespace, patch, o) {
      if (o.type === 'apply' && !o.fieldManager) {
        throw new Error(`server-side apply of ${r.kind} ${name}: fieldManager is required`);
      }
      const path =
        resourcePath(r, namespace, name, o.subresource) +
        query({ fieldManager: o.fieldManager, force: o.force });
      return (await transport.call(
        'PATCH',
        path,
        patch,
        PATCH_CONTENT_TYPES[o.type],
      )) as KubeObject;
    },
    async delete(r, name, namespace, o = {}) {
      try {
        await transport.call(
          'DELETE',
          resourcePath(r, namespace, name) + query({ propagationPolicy: o.propagationPolicy }),
        );
        return true;
      } catch (err) {
        if (apiStatus(err) === 404) return false;
        throw err;
      }
    },
    async upsert(r, obj, o = {}) {
      const name = obj.metadata?.name;
      if (!name) throw new Error(`upsert ${r.kind}: metadata.name is missing`);
      for (let attempt = 1; ; attempt++) {
        const existing = await get(r, name, obj.metadata?.namespace);
        try {
          if (!existing) return await resources.create(r, obj, o);
          const metadata = { ...obj.metadata, resourceVersion: existing.metadata?.resourceVersion };
          return await resources.replace(r, { ...obj, metadata }, o);
        } catch (err) {
          // 409: someone wrote in between (or created it first): read again, up to 3 times.
          if (apiStatus(err) !== 409 || attempt >= 3) throw err;
        }
      }
    },
  };
  return resources;
}

/** KubeResources from a kubeconfig file; unset: $KUBECONFIG, ~/.kube/config or in-cluster. */
export async function openKubeResources(kubeconfig?: string): Promise<KubeResources> {
  const { k8s, kc } = await loadKubeConfig(kubeconfig);
  const watch = new k8s.Watch(kc);
  return kubeResourcesOver(httpsTransport(kc), async (path, params, onEvent, done) => {
    const controller = await watch.watch(path, params, onEvent, (err: unknown) =>
      done(err ?? undefined),
    );
    return { abort: () => controller.abort() };
  });
}
