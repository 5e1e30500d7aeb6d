// Keeps a NamespaceLabelCache in step with the apiserver: the Reflector's list, then watches
// (reflector.ts: timeouts, silence, 410 Gone, backoff), applied to the cache. A namespace not
// in a completed list is dropped from the cache.
import type { Logger } from 'pino';
import type { NamespaceLabelCache } from './namespace-labels';
import { Reflector, type ReflectorOptions, type ReflectorSource } from './reflector';

/** The parts of a Namespace (or of a watch ERROR's Status) read here. */
export interface NamespaceObject {
  metadata?: { name?: string; labels?: Record<string, string>; resourceVersion?: string };
  code?: number;
  message?: string;
}

/** The reflector's source for namespaces. */
export type NamespaceApi = ReflectorSource<NamespaceObject>;

export type NamespaceReflectorOptions = Omit<ReflectorOptions, 'name' | 'listed' | 'failureNote'>;

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
      api,
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
        listed: 'namespace labels',
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
