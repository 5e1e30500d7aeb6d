// Namespace labels from the apiserver: a NamespaceLabelCache kept current by a
// NamespaceReflector (list, then watches) over resources.ts, with a bounded GET for a namespace
// the watch has not delivered yet. While the watch is failing, lookups fall back to GETs.
// Needs get, list and watch on namespaces. Whether the policies need it is the policy part's
// decision (needsNamespaceWatch in src/policy/snapshot.ts); main.ts starts it.
import type { Logger } from 'pino';
import { API_TIMEOUT_MS, withTimeout } from './client';
import { NamespaceLabelCache, type LookupSource } from './namespace-labels';
import { NamespaceReflector, type NamespaceApi } from './namespace-reflector';
import { resourceSource } from './reflector';
import { openKubeResources, type ResourceInfo } from './resources';

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
  const kube = await openKubeResources(opts.kubeconfig);
  const logger = opts.logger.child({ component: 'namespace-labels' });
  const namespaces: ResourceInfo = {
    group: '',
    version: 'v1',
    kind: 'Namespace',
    plural: 'namespaces',
    namespaced: false,
    verbs: ['get', 'list', 'watch'],
    apiVersion: 'v1',
  };

  const cache = new NamespaceLabelCache(
    async (name) => {
      const ns = await withTimeout(
        `reading namespace ${name}`,
        kube.get(namespaces, name),
        GET_TIMEOUT_MS,
      );
      return ns ? (ns.metadata?.labels ?? {}) : null;
    },
    { logger, onLookup: opts.onLookup },
  );

  const source = resourceSource(kube, namespaces);
  const api: NamespaceApi = {
    list: (token) => withTimeout('listing namespaces', source.list(token), API_TIMEOUT_MS),
    watch: source.watch,
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
