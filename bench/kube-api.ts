// The bench's access to the local cluster of scripts/cluster.sh (etcd + kube-apiserver on
// loopback): start or reuse it, read the admin credentials of its kubeconfig, call the API with a
// JSON body. Its own small client, not test/e2e's: the image build compiles bench/ without test/.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { httpsCall, type HttpsReply } from './https-call';

const ROOT = join(__dirname, '..', '..');

/** Where the apiserver listens and the TLS options (its CA, the admin client certificate). */
export interface KubeAccess {
  host: string;
  port: number;
  tls: { ca: Buffer; cert: Buffer; key: Buffer };
}

export interface Api {
  call(method: string, path: string, body?: unknown): Promise<HttpsReply>;
}

/** Starts the local cluster, or reuses the running one (never stops it); its admin access. */
export function localCluster(): KubeAccess {
  execFileSync('bash', [join(ROOT, 'scripts', 'cluster.sh'), 'up'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return kubeAccess(join(ROOT, '.tools', 'cluster', 'kubeconfig'));
}

export function kubeAccess(kubeconfigFile: string): KubeAccess {
  const kc = parseYaml(readFileSync(kubeconfigFile, 'utf8'));
  const cluster = kc.clusters[0].cluster;
  const user = kc.users[0].user;
  const b64 = (s: string) => Buffer.from(s, 'base64');
  const server = new URL(cluster.server);
  return {
    host: server.hostname,
    port: Number(server.port),
    tls: {
      ca: b64(cluster['certificate-authority-data']),
      cert: b64(user['client-certificate-data']),
      key: b64(user['client-key-data']),
    },
  };
}

/** One kept-alive connection: sequential requests, as a controller's client would send them. */
export function apiClient(access: KubeAccess): Api {
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ...access.tls });
  return {
    call: (method, path, body) =>
      httpsCall(
        { host: access.host, port: access.port, path, method, agent },
        body === undefined ? undefined : JSON.stringify(body),
      ),
  };
}

/** Creates the namespace with these labels; one left by an earlier run is fine. */
export async function ensureNamespace(
  api: Api,
  name: string,
  labels: Record<string, string>,
): Promise<void> {
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
  const created = await api.call('POST', '/api/v1/namespaces', ns);
  if (created.status !== 201 && created.status !== 409)
    throw new Error(`namespace ${name}: HTTP ${created.status}: ${created.body}`);
}
