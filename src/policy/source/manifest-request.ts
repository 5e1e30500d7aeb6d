// THE manifest → AdmissionRequest builder: the request the kube-apiserver would send a
// validating webhook for one object (docs/cli.md, "What eval sends"). `palisade eval` and
// `palisade test`, the build's generated example Rego tests, the jest fixtures and the bench all
// build their requests here, so each of them sees the same request for the same manifest.
import type { AdmissionRequest, KubeObject, Operation } from '../request';
import { kindAsGiven, resolveKind, type CustomKinds, type KindInfo } from './kinds';

export const OPERATIONS: readonly Operation[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

export const DEFAULT_USER = 'palisade-cli';
export const DEFAULT_NAMESPACE = 'default';

export interface RequestOptions {
  operation: Operation;
  /** `--namespace`: for namespaced objects that do not name one. */
  namespace?: string;
  username: string;
  /** Extra groups; `system:authenticated` is always added, as the apiserver does. */
  groups: readonly string[];
  /** The object before an UPDATE; without it an UPDATE is a no-op update of the object itself. */
  old?: KubeObject;
  /** The request uid; a random one when absent (give one for reproducible output). */
  uid?: string;
}

export interface KindOptions {
  /**
   * Gatekeeper's paths (palisade verify, eval of templates and constraints): gator reviews an
   * object of any kind, so a kind or version the kinds table refuses is taken as given, scoped
   * by the object itself (namespaced when its metadata names a namespace). Palisade's own
   * policies keep the table's checks.
   */
  anyKind?: boolean;
}

/** The kind of a manifest from the kinds table (and CRDs in the input); throws naming it. */
export function manifestKind(
  manifest: KubeObject,
  custom: CustomKinds,
  opts: KindOptions = {},
): KindInfo {
  const apiVersion = String(manifest.apiVersion);
  const kind = String(manifest.kind);
  try {
    return resolveKind(apiVersion, kind, custom);
  } catch (thrown) {
    if (!opts.anyKind) throw thrown;
    return kindAsGiven(apiVersion, kind, Boolean(manifest.metadata?.namespace));
  }
}

/** The namespace the request goes to, as kubectl and the apiserver pick it. Throws on conflict. */
export function requestNamespace(
  object: KubeObject,
  kind: Pick<KindInfo, 'namespaced'>,
  flag: string | undefined,
): string | undefined {
  if (!kind.namespaced) return undefined;
  const own = object.metadata?.namespace;
  if (own && flag && own !== flag) {
    // kubectl refuses this before anything reaches the apiserver; so do we.
    throw new Error(`the namespace from the object "${own}" does not match --namespace "${flag}"`);
  }
  return own || flag || DEFAULT_NAMESPACE;
}

/**
 * The AdmissionRequest for one object. An UPDATE without `old` compares the object with itself
 * (a no-op update); a DELETE sends the object as oldObject and null as object.
 */
export function manifestRequest(
  manifest: KubeObject,
  kind: KindInfo,
  opts: RequestOptions,
): AdmissionRequest {
  const namespace = requestNamespace(manifest, kind, opts.namespace);
  const object = asStored(manifest, namespace);
  const name = typeof object.metadata?.name === 'string' ? object.metadata.name : undefined;
  const gvk = { group: kind.group, version: kind.version, kind: kind.kind };
  const gvr = { group: kind.group, version: kind.version, resource: kind.resource };
  const op = opts.operation;
  return {
    // The global Web Crypto (Node 20+, browsers): this builder also runs in the playground's page.
    uid: opts.uid ?? globalThis.crypto.randomUUID(),
    kind: gvk,
    resource: gvr,
    requestKind: gvk,
    requestResource: gvr,
    ...(name ? { name } : {}),
    ...requestNamespaceField(kind, op, namespace, name),
    operation: op,
    userInfo: {
      username: opts.username,
      groups: [...new Set([...opts.groups, 'system:authenticated'])],
    },
    object: op === 'DELETE' ? null : object,
    oldObject:
      op === 'UPDATE' ? asStored(opts.old ?? manifest, namespace) : op === 'DELETE' ? object : null,
    dryRun: false,
    ...(OPTIONS_KIND[op]
      ? { options: { apiVersion: 'meta.k8s.io/v1', kind: OPTIONS_KIND[op] } }
      : {}),
  } as AdmissionRequest & { requestResource: typeof gvr };
}

const OPTIONS_KIND: Partial<Record<Operation, string>> = {
  CREATE: 'CreateOptions',
  UPDATE: 'UpdateOptions',
  DELETE: 'DeleteOptions',
};

/**
 * request.namespace: the object's namespace for namespaced kinds; for a Namespace, its own name
 * once it exists (UPDATE, DELETE: the request path is /api/v1/namespaces/<name>).
 */
function requestNamespaceField(
  kind: KindInfo,
  op: Operation,
  namespace: string | undefined,
  name: string | undefined,
): { namespace?: string } {
  if (namespace) return { namespace };
  if (kind.group === '' && kind.kind === 'Namespace' && op !== 'CREATE' && name) {
    return { namespace: name };
  }
  return {};
}

/**
 * The object as the apiserver hands it to validating webhooks: the request's namespace filled
 * in for a namespaced kind, none for a cluster-scoped one.
 */
function asStored(manifest: KubeObject, namespace: string | undefined): KubeObject {
  const object = structuredClone(manifest);
  const metadata = { ...(object.metadata ?? {}) };
  if (namespace) metadata.namespace = namespace;
  else delete metadata.namespace;
  object.metadata = metadata;
  return object;
}
