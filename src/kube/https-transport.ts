// JSON over HTTPS to the apiserver with client-node's own credentials (KubeConfig's
// applyToHTTPSOptions: certificates, tokens, exec plugins), for resources.ts: client-node's
// typed clients would re-shape the objects (Date timestamps, unknown fields dropped). A failed
// call throws a KubeApiError shaped as client-node's ApiException, so apiStatus/apiReason read it.
import { Agent, request, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { API_TIMEOUT_MS } from './client';

/** A failed API call, shaped as client-node's ApiException so apiStatus/apiReason read it. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly body: unknown,
    what: string,
  ) {
    const message =
      typeof body === 'object' && body !== null && 'message' in body
        ? String((body as { message: unknown }).message)
        : '';
    super(`${what}: HTTP ${code}${message ? `: ${message}` : ''}`);
    this.name = 'KubeApiError';
  }
}

export interface Transport {
  call(method: string, path: string, body?: unknown, contentType?: string): Promise<unknown>;
}

/** JSON over HTTPS with the kubeconfig's credentials, bounded by API_TIMEOUT_MS. */
export function httpsTransport(kc: KubeConfig): Transport {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const server = new URL(cluster.server);
  const agents = keptAliveAgents();
  return {
    async call(method, path, body, contentType = 'application/json') {
      const opts: RequestOptions = {
        method,
        protocol: server.protocol,
        hostname: server.hostname.replace(/^\[|\]$/g, ''),
        port: server.port || 443,
        path: server.pathname.replace(/\/$/, '') + path,
        headers: { accept: 'application/json' },
        timeout: API_TIMEOUT_MS,
      };
      await kc.applyToHTTPSOptions(opts);
      opts.agent = agents.for(opts);
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      if (payload) {
        opts.headers = {
          ...opts.headers,
          'content-type': contentType,
          'content-length': String(payload.length),
        };
      }
      const what = `${method} ${path.split('?')[0]}`;
      return new Promise<unknown>((resolve, reject) => {
        const req = request(opts, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON: keep the text
            }
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve(parsed);
            else reject(new KubeApiError(status, parsed, what));
          });
        });
        req.on('timeout', () =>
          req.destroy(new Error(`${what}: no answer in ${API_TIMEOUT_MS} ms`)),
        );
        req.on('error', reject);
        req.end(payload);
      });
    },
  };
}

// applyToHTTPSOptions makes a new Agent on every call: a new TLS handshake per request (a scan
// of 20,000 objects is 40 pages, then the report writes). Requests with the same TLS material
// share one kept-alive Agent instead; new material (a rotated client certificate) gets its own,
// and the previous one is closed.
function keptAliveAgents() {
  let current: { key: string; agent: Agent } | undefined;
  return {
    for(opts: RequestOptions): Agent {
      const key = JSON.stringify(
        [opts.ca, opts.cert, opts.key, opts.pfx, opts.rejectUnauthorized, opts.servername].map(
          (v) => (Buffer.isBuffer(v) ? v.toString('base64') : v),
        ),
      );
      if (current?.key !== key) {
        current?.agent.destroy();
        const { ca, cert, key: privateKey, pfx, passphrase, rejectUnauthorized, servername } = opts;
        const agent = new Agent({
          keepAlive: true,
          maxSockets: 4,
          ca,
          cert,
          key: privateKey,
          pfx,
          passphrase,
          rejectUnauthorized,
          servername,
        });
        current = { key, agent };
      }
      return current.agent;
    },
  };
}
