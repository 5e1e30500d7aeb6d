// A small client for the local test cluster (scripts/cluster.sh): the admin credentials of its
// kubeconfig, one keep-alive HTTPS agent, JSON in and out, and the apiserver's Warning headers.
// Enough for dry-run creates; no retries (a failure is a test failure).
import { Agent, request } from 'node:https';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface KubeReply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Warning headers, text only (kubectl prints these as "Warning: ..."). */
  warnings: string[];
}

export interface KubeApi {
  call(method: string, path: string, body?: unknown, contentType?: string): Promise<KubeReply>;
  close(): void;
}

const b64 = (s: string) => Buffer.from(s, 'base64');

export function kubeApi(kubeconfigPath: string): KubeApi {
  const kc = parse(readFileSync(kubeconfigPath, 'utf8'));
  const cluster = kc.clusters[0].cluster;
  const user = kc.users[0].user;
  const server = new URL(cluster.server);
  const agent = new Agent({
    keepAlive: true,
    maxSockets: 4,
    ca: b64(cluster['certificate-authority-data']),
    cert: b64(user['client-certificate-data']),
    key: b64(user['client-key-data']),
  });
  const call = (method: string, path: string, body?: unknown, contentType = 'application/json') =>
    new Promise<KubeReply>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          host: server.hostname,
          port: server.port,
          method,
          path,
          agent,
          timeout: 30_000,
          headers: {
            accept: 'application/json',
            ...(payload ? { 'content-type': contentType } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // keep the text
            }
            resolve({ status: res.statusCode ?? 0, body: parsed, warnings: warnings(res.headers) });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  return { call, close: () => agent.destroy() };
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
