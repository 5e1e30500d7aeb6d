// Cluster-scoped custom objects (Gatekeeper's ConstraintTemplates and constraints) for the
// Gatekeeper controller: read one, replace its status guarded by its resourceVersion, and
// watch a kind as a whole (every change hands over the full list). Needs get, list and watch
// of the kind, and update of its /status.
import type { KubeConfig } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { apiReason, apiStatus, loadKubeConfig, withTimeout } from './client';

/** The parts of an object read here; the rest is passed through untouched. */
export interface CustomObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    generation?: number;
    resourceVersion?: string;
    uid?: string;
    labels?: Record<string, string>;
  };
  spec?: unknown;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
}

export interface ObjectWatch {
  stop(): Promise<void>;
}

export interface CustomObjectClient {
  get(ref: ResourceRef, name: string): Promise<CustomObject | undefined>;
  /** PUT of /status with the object's resourceVersion: a 409 means it changed meanwhile. */
  replaceStatus(ref: ResourceRef, obj: CustomObject): Promise<CustomObject>;
  /**
   * Lists then watches every object of `ref`; `onChange` gets the whole current list after the
   * first list and after every event. A watch that fails or ends is started again (after
   * `retryMs`, doubling up to a minute); `onError` hears why.
   */
  watch(
    ref: ResourceRef,
    onChange: (items: readonly CustomObject[]) => void,
    onError: (reason: string) => void,
  ): Promise<ObjectWatch>;
}

const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 60_000;

export async function customObjectClient(kubeconfig?: string): Promise<CustomObjectClient> {
  const { k8s, kc } = await loadKubeConfig(kubeconfig);
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  return {
    async get(ref, name) {
      try {
        return (await withTimeout(
          `get ${ref.plural}.${ref.group} ${name}`,
          api.getClusterCustomObject({ ...ref, name }),
        )) as CustomObject;
      } catch (err) {
        if (apiStatus(err) === 404) return undefined;
        throw err;
      }
    },
    async replaceStatus(ref, obj) {
      const name = obj.metadata!.name!;
      return (await withTimeout(
        `update ${ref.plural}.${ref.group} ${name}/status`,
        api.replaceClusterCustomObjectStatus({ ...ref, name, body: obj }),
      )) as CustomObject;
    },
    watch: (ref, onChange, onError) =>
      startWatch(k8s, kc, ref, onChange, onError, async () => {
        const list = (await withTimeout(
          `list ${ref.plural}.${ref.group}`,
          api.listClusterCustomObject(ref),
        )) as { items: CustomObject[]; metadata?: { resourceVersion?: string } };
        return list;
      }),
  };
}

type ClientNode = typeof import('@kubernetes/client-node', {
  with: { 'resolution-mode': 'import' },
});

/** client-node's ListWatch (list, watch from its resourceVersion, relist on 410), restarted. */
async function startWatch(
  k8s: ClientNode,
  kc: KubeConfig,
  ref: ResourceRef,
  onChange: (items: readonly CustomObject[]) => void,
  onError: (reason: string) => void,
  list: () => Promise<{ items: CustomObject[]; metadata?: { resourceVersion?: string } }>,
): Promise<ObjectWatch> {
  const path = `/apis/${ref.group}/${ref.version}/${ref.plural}`;
  const lw = new k8s.ListWatch<CustomObject & { metadata: object }>(
    path,
    new k8s.Watch(kc),
    list as never,
    false,
  );
  let stopped = false;
  let retryMs = RETRY_FIRST_MS;
  let timer: NodeJS.Timeout | undefined;
  const changed = () => onChange(lw.list());
  lw.on('change', changed);
  // ListWatch.start() resolves once it listed and watches, or after it reported an error.
  const begin = async () => {
    await lw.start();
    if (lw.latestResourceVersion()) {
      retryMs = RETRY_FIRST_MS;
      changed();
    }
  };
  const restart = () => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      begin().catch((err: unknown) => {
        onError(apiReason(err));
        restart();
      });
    }, retryMs);
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  };
  lw.on('error', (err: unknown) => {
    if (stopped) return;
    onError(err === undefined ? 'watch ended' : apiReason(err));
    restart();
  });
  await begin();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await lw.stop();
    },
  };
}
