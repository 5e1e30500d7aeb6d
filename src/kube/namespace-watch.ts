// Namespace labels from the apiserver: a NamespaceLabelCache kept current by a
// NamespaceReflector (list, then watches) over client-node, with a bounded GET for a namespace
// the watch has not delivered yet. While the watch is failing, lookups fall back to GETs.
// Needs get, list and watch on namespaces. Whether the policies need it is the policy part's
// decision (needsNamespaceWatch in src/policy/snapshot.ts); main.ts starts it.
import type { Logger } from 'pino';
import { API_TIMEOUT_MS, apiStatus, loadKubeConfig, withTimeout } from './client';
import { NamespaceLabelCache, type LookupSource } from './namespace-labels';
import { NamespaceReflector, type NamespaceApi, type NamespaceObject } from './namespace-reflector';

/** A lookup answers an admission request that is waiting: a GET gets this long. */
const GET_TIMEOUT_MS = 1_000;

export interface NamespaceWatchOptions {
  /** A kubeconfig file; unset: $KUBECONFIG, ~/.kube/config or the in-cluster account. */
  kubeconfig?: string;
  logger: Logger;
  onLookup?: (source: LookupSource) => void;
}

export interface NamespaceWatch {
  cache: NamespaceLabelCache;
  stop(): Promise<void>;
}

export async function watchNamespaces(opts: NamespaceWatchOptions): Promise<NamespaceWatch> {
  const { k8s, kc } = await loadKubeConfig(opts.kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const logger = opts.logger.child({ component: 'namespace-labels' });

  const cache = new NamespaceLabelCache(
    async (name) => {
      try {
        const ns = await withTimeout(
          `reading namespace ${name}`,
          core.readNamespace({ name }),
          GET_TIMEOUT_MS,
        );
        return ns.metadata?.labels ?? {};
      } catch (err) {
        if (apiStatus(err) === 404) return null;
        throw err;
      }
    },
    { logger, onLookup: opts.onLookup },
  );

  const watch = new k8s.Watch(kc);
  const api: NamespaceApi = {
    async list() {
      const list = await withTimeout('listing namespaces', core.listNamespace(), API_TIMEOUT_MS);
      return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
    },
    watch: (resourceVersion, timeoutSeconds, onEvent, done) =>
      watch.watch(
        '/api/v1/namespaces',
        { resourceVersion, timeoutSeconds, allowWatchBookmarks: true },
        (type: string, obj: NamespaceObject) => onEvent(type, obj),
        (err: unknown) => done(err ?? undefined),
      ),
  };
  const reflector = new NamespaceReflector(api, cache, logger);
  reflector.start();

  return {
    cache,
    async stop() {
      reflector.stop();
    },
  };
}
