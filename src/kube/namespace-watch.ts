// Keeps a NamespaceLabelCache current: one list, then a watch of namespaces (client-node's
// informer), and a bounded GET for a namespace the watch has not delivered yet. A watch that
// fails (apiserver away, permission missing) is started again after a pause that doubles up to
// a minute; meanwhile lookups fall back to GETs. Needs get, list and watch on namespaces.
import type { Logger } from 'pino';
import type { Config } from '../config/schema';
import { usesNamespaceSelector } from '../policy/match';
import type { EffectivePolicy } from '../policy/policy-set';
import type { V1Namespace } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { API_TIMEOUT_MS, apiReason, apiStatus, loadKubeConfig, withTimeout } from './client';
import { NamespaceLabelCache, type LookupSource } from './namespace-labels';

/** A lookup answers an admission request that is waiting: a GET gets this long. */
const GET_TIMEOUT_MS = 1_000;
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 60_000;
/** A failure this long after the previous one starts the backoff over. */
const RETRY_RESET_MS = 5 * 60_000;

/** kubernetes.namespaceLabels: watch, or auto while an active policy has a namespaceSelector. */
export function wantsNamespaceWatch(config: Config, policies: readonly EffectivePolicy[]): boolean {
  const mode = config.kubernetes.namespaceLabels;
  return mode === 'auto' ? usesNamespaceSelector(policies) : mode === 'watch';
}

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

  const informer = k8s.makeInformer<V1Namespace>(kc, '/api/v1/namespaces', async () => {
    const list = await withTimeout('listing namespaces', core.listNamespace(), API_TIMEOUT_MS);
    logger.info(
      { namespaces: list.items.length },
      'namespace labels: listed, watching for changes',
    );
    return list;
  });
  const put = (ns: V1Namespace) => {
    if (ns.metadata?.name) cache.put(ns.metadata.name, ns.metadata.labels ?? {});
  };
  informer.on('add', put);
  informer.on('update', put);
  informer.on('delete', (ns) => {
    if (ns.metadata?.name) cache.remove(ns.metadata.name);
  });

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let retryMs = RETRY_FIRST_MS;
  let lastFailure = -Infinity;
  const start = () => {
    timer = undefined;
    informer.start().catch(failed);
  };
  // Backs off on failures in a row, whether the list or the watch fails (a list that succeeds
  // does not mean the watch will), and starts over after a long quiet spell.
  function failed(err: unknown) {
    if (stopped || timer) return;
    if (Date.now() - lastFailure > RETRY_RESET_MS) retryMs = RETRY_FIRST_MS;
    lastFailure = Date.now();
    logger.warn(
      { reason: apiReason(err), retryInMs: retryMs },
      'namespace watch failed; looking namespaces up one by one until it is back',
    );
    timer = setTimeout(start, retryMs);
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  }
  informer.on('error', failed);
  start();

  return {
    cache,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await informer.stop();
    },
  };
}
