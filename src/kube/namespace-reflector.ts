// Keeps a NamespaceLabelCache in step with the apiserver: the Reflector's list, then watches
// (reflector.ts: timeouts, silence, 410 Gone, backoff), applied to the cache. A namespace not
// in a completed list is dropped from the cache.
import type { Logger } from 'pino';
import type { NamespaceLabelCache } from './namespace-labels';
import { Reflector, type ReflectorOptions } from './reflector';

/** The parts of a Namespace (or of a watch ERROR's Status) read here. */
export interface NamespaceObject {
  metadata?: { name?: string; labels?: Record<string, string>; resourceVersion?: string };
  code?: number;
  message?: string;
}

export interface NamespaceApi {
  list(): Promise<{ items: NamespaceObject[]; resourceVersion: string }>;
  /**
   * Starts a watch of namespaces from `resourceVersion`, ended by the apiserver after
   * `timeoutSeconds`. `onEvent` gets each event; `done` is called once when it ends (with the
   * error, if it failed). Resolves with a handle to end it early.
   */
  watch(
    resourceVersion: string,
    timeoutSeconds: number,
    onEvent: (type: string, obj: NamespaceObject) => void,
    done: (err?: unknown) => void,
  ): Promise<{ abort(): void }>;
}

export type NamespaceReflectorOptions = Omit<ReflectorOptions, 'name' | 'failureNote'>;

export class NamespaceReflector {
  private readonly reflector: Reflector<NamespaceObject>;

  constructor(
    api: NamespaceApi,
    cache: NamespaceLabelCache,
    logger: Logger,
    options: NamespaceReflectorOptions = {},
  ) {
    let seen = new Set<string>();
    this.reflector = new Reflector<NamespaceObject>(
      { list: () => api.list(), watch: (...args) => api.watch(...args) },
      {
        onListStart: () => {
          seen = new Set();
        },
        onListPage: (items) => {
          for (const ns of items) {
            const name = ns.metadata?.name;
            if (!name) continue;
            seen.add(name);
            cache.put(name, ns.metadata?.labels ?? {});
          }
        },
        onListDone: () => {
          for (const name of cache.names()) if (!seen.has(name)) cache.remove(name);
          seen = new Set();
        },
        onEvent: (type, ns) => {
          const name = ns.metadata?.name;
          if (!name) return;
          if (type === 'DELETED') cache.remove(name);
          else cache.put(name, ns.metadata?.labels ?? {});
        },
      },
      logger,
      {
        ...options,
        name: 'namespace',
        failureNote: 'looking namespaces up one by one until it is back',
      },
    );
  }

  start(): void {
    this.reflector.start();
  }

  stop(): void {
    this.reflector.stop();
  }
}
