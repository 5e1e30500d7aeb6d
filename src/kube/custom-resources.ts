// Cluster-scoped custom objects (Gatekeeper's ConstraintTemplates and constraints) for the
// Gatekeeper controller, over the generic client (resources.ts) and reflector (reflector.ts):
// read one, replace its status guarded by its resourceVersion, and follow a kind as a whole
// (every change hands over the full current list). Needs get, list and watch of the kind, and
// update of its /status.
import type { Logger } from 'pino';
import { Reflector, resourceSource } from './reflector';
import {
  openKubeResources,
  type KubeObject,
  type KubeResources,
  type ResourceInfo,
} from './resources';

/** The parts of an object read here; the rest is passed through untouched. */
export interface CustomObject extends KubeObject {
  status?: Record<string, unknown>;
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
   * Lists then watches every object of `ref`; `onChange` gets the whole current list after
   * each complete list and after every event. Resolves after the first list, or after
   * `firstListMs` if it has not come by then (the reflector keeps retrying; `onError` hears
   * why, and `onChange` follows once it lists).
   */
  watch(
    ref: ResourceRef,
    onChange: (items: readonly CustomObject[]) => void,
    onError: (reason: string) => void,
  ): Promise<ObjectWatch>;
}

const FIRST_LIST_MS = 30_000;

/** A cluster-scoped kind by its path; no discovery needed (the caller made or knows the CRD). */
export function clusterResource(ref: ResourceRef, kind = ''): ResourceInfo {
  return {
    ...ref,
    kind,
    namespaced: false,
    verbs: [],
    apiVersion: ref.group === '' ? ref.version : `${ref.group}/${ref.version}`,
  };
}

export async function customObjectClient(
  logger: Logger,
  kubeconfig?: string,
  firstListMs = FIRST_LIST_MS,
): Promise<CustomObjectClient> {
  return customObjectsOver(await openKubeResources(kubeconfig), logger, firstListMs);
}

export function customObjectsOver(
  kube: KubeResources,
  logger: Logger,
  firstListMs = FIRST_LIST_MS,
): CustomObjectClient {
  return {
    async get(ref, name) {
      return (await kube.get(clusterResource(ref), name)) ?? undefined;
    },
    replaceStatus: (ref, obj) => kube.replace(clusterResource(ref), obj, { subresource: 'status' }),
    async watch(ref, onChange, onError) {
      let items = new Map<string, CustomObject>();
      let listing = new Map<string, CustomObject>();
      const emit = () => onChange([...items.values()]);
      const reflector = new Reflector<KubeObject>(
        resourceSource(kube, clusterResource(ref)),
        {
          onListStart: () => void (listing = new Map()),
          onListPage: (page) => page.forEach((o) => listing.set(o.metadata?.name ?? '', o)),
          onListDone: () => {
            items = listing;
            emit();
          },
          onEvent: (type, o) => {
            if (type === 'DELETED') items.delete(o.metadata?.name ?? '');
            else items.set(o.metadata?.name ?? '', o);
            emit();
          },
          onError: (err) => onError(err instanceof Error ? err.message : String(err)),
        },
        logger,
        { name: `${ref.plural}.${ref.group}`, failureNote: 'the last list keeps applying' },
      );
      reflector.start();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        reflector.synced,
        new Promise<void>((resolve) => (timer = setTimeout(resolve, firstListMs))),
      ]);
      clearTimeout(timer);
      return {
        async stop() {
          reflector.stop();
        },
      };
    },
  };
}
