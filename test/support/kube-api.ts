// A small client of a Kubernetes API server (the local cluster of scripts/cluster.sh): the admin
// credentials of a kubeconfig, one keep-alive HTTPS agent, JSON in and out, and the apiserver's
// Warning headers. Enough for creates, dry-run creates and webhook configurations; no retries
// (a failure is the caller's to see).
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { parse } from 'yaml';
import { httpsCall } from './https-client';

/** Where the apiserver listens and the TLS options (its CA, the admin client certificate). */
export interface KubeAccess {
  host: string;
  port: number;
  tls: { ca: Buffer; cert: Buffer; key: Buffer };
}

export interface KubeReply {
  status: number;
  /** The body parsed as JSON, or its text when it is not JSON. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
  /** Warning headers, text only (kubectl prints these as "Warning: ..."). */
  warnings: string[];
}

export interface KubeApi {
  call(method: string, path: string, body?: unknown, contentType?: string): Promise<KubeReply>;
  close(): void;
}

/** The first cluster and user of a kubeconfig with embedded certificates. */
export function kubeAccess(kubeconfigFile: string): KubeAccess {
  const kc = parse(readFileSync(kubeconfigFile, 'utf8'));
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

/**
 * A client over `maxSockets` kept-alive connections (1: sequential requests, as a controller's
 * client sends them). `access` is a KubeAccess or a kubeconfig file.
 */
export function kubeApi(access: KubeAccess | string, maxSockets = 4): KubeApi {
  const a = typeof access === 'string' ? kubeAccess(access) : access;
  const agent = new Agent({ keepAlive: true, maxSockets, ...a.tls });
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<KubeReply> => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = {
      accept: 'application/json',
      ...(payload ? { 'content-type': contentType } : {}),
    };
    const options = { host: a.host, port: a.port, method, path, agent, timeout: 30_000, headers };
    const answer = await httpsCall(options, payload);
    let parsed: unknown = answer.text;
    try {
      parsed = JSON.parse(answer.text);
    } catch {
      // keep the text
    }
    return {
      status: answer.status,
      body: parsed,
      text: answer.text,
      warnings: warnings(answer.headers),
    };
  };
  return { call, close: () => agent.destroy() };
}

/** Creates the namespace with these labels; one left by an earlier run is fine. */
export async function ensureNamespace(
  api: KubeApi,
  name: string,
  labels: Record<string, string>,
): Promise<void> {
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
  const created = await api.call('POST', '/api/v1/namespaces', ns);
  if (created.status !== 201 && created.status !== 409)
    throw new Error(`namespace ${name}: HTTP ${created.status}: ${created.text}`);
}

// `Warning: 299 - "text"` (RFC 7234), possibly several per header line.
function warnings(headers: Record<string, string | string[] | undefined>): string[] {
  const raw = headers.warning;
  const lines = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const out: string[] = [];
  for (const line of lines) {
    for (const m of line.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)) {
      out.push(m[1]!.replace(/\\(.)/g, '$1'));
    }
  }
  return out;
}
