// The Kubernetes API clients Palisade uses, from a kubeconfig file or, in a pod, the service
// account. @kubernetes/client-node is an ES module: it is loaded with import() when tls.mode
// auto or the namespace watch needs it (which spares every other setup its ~1 s load time).
// Every call is bounded in time: a hung apiserver must not hang a pass forever.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AdmissionregistrationV1Api, CoreV1Api } from '@kubernetes/client-node' with {
  'resolution-mode': 'import',
};
import { PalisadeError } from '../errors';

export type { AdmissionregistrationV1Api, CoreV1Api };

export interface KubeApis {
  core: CoreV1Api;
  admission: AdmissionregistrationV1Api;
}

/**
 * client-node and a KubeConfig from `kubeconfig` if given; otherwise $KUBECONFIG,
 * ~/.kube/config or the in-cluster account.
 */
export async function loadKubeConfig(kubeconfig?: string) {
  if (!kubeconfig && !defaultKubeConfigExists()) {
    // client-node would fall back to http://localhost:8080 and fail later, less clearly.
    throw new PalisadeError('PAL_ERR_KUBE_CONFIG', [
      'no kubeconfig given, $KUBECONFIG unset, no ~/.kube/config, and not in a pod ' +
        '(set kubernetes.kubeconfig)',
    ]);
  }
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  if (kubeconfig) kc.loadFromFile(kubeconfig);
  else kc.loadFromDefault();
  return { k8s, kc };
}

/** Where client-node's loadFromDefault looks, in its order. */
function defaultKubeConfigExists(): boolean {
  if (process.env.KUBECONFIG) return true;
  if (existsSync(join(homedir(), '.kube', 'config'))) return true;
  return existsSync(SERVICE_ACCOUNT_TOKEN);
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** The API clients tls.mode auto uses; the kubeconfig as in loadKubeConfig. */
export async function kubeApis(kubeconfig?: string): Promise<KubeApis> {
  const { k8s, kc } = await loadKubeConfig(kubeconfig);
  return {
    core: kc.makeApiClient(k8s.CoreV1Api),
    admission: kc.makeApiClient(k8s.AdmissionregistrationV1Api),
  };
}

interface ApiError {
  code: number;
  body?: unknown;
}

// client-node's ApiException, recognised by shape so this module needs no value import of it.
function asApiError(err: unknown): ApiError | undefined {
  if (err instanceof Error && typeof (err as Partial<ApiError>).code === 'number') {
    return err as Error & ApiError;
  }
  return undefined;
}

/** The HTTP status of a failed API call, or undefined when it never got an answer. */
export function apiStatus(err: unknown): number | undefined {
  return asApiError(err)?.code;
}

/** A readable reason for a failed API call: the apiserver's own message when there is one. */
export function apiReason(err: unknown): string {
  const api = asApiError(err);
  if (api) {
    let body = api.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        // not JSON: keep the text
      }
    }
    const message =
      typeof body === 'object' && body !== null && 'message' in body
        ? String((body as { message: unknown }).message)
        : String(body ?? '');
    return `HTTP ${api.code}${message ? `: ${message}` : ''}`;
  }
  return err instanceof Error ? err.message : String(err);
}

export const API_TIMEOUT_MS = 10_000;

export function withTimeout<T>(what: string, call: Promise<T>, ms = API_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
  });
  return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
}
