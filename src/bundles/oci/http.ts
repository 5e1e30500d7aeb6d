// One HTTP(S) exchange with a registry or its token server, on node:https so a custom CA can be
// trusted (added to Node's roots) without touching the process's other connections. The body is
// read into memory up to a limit; redirects (blob storage on another host, as S3-backed
// registries answer) are followed for GET and HEAD, dropping Authorization when the host
// changes. Failures become OciErrors naming the URL: TLS, network, timeout, too large.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { OciError } from './oci-error';

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The URL that answered (after redirects). */
  readonly url: string;
}

export interface HttpRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH';
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer;
  /** Bytes of body to read at most; more is a `too_large` OciError. */
  readonly limit: number;
}

export interface HttpTransportOptions {
  /** PEM of CA certificates trusted besides Node's roots. */
  readonly caPem?: string;
  /** Milliseconds one exchange may take, connection to last byte. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly userAgent: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
/** Node's codes for a certificate the client does not accept. */
const TLS_CODES =
  /^(?:UNABLE_TO_|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH|ERR_OSSL_)/;

/** Sends requests over one keep-alive agent; `close()` ends its sockets. */
export class HttpTransport {
  private readonly agent: Agent;

  constructor(private readonly options: HttpTransportOptions) {
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: 4,
      ...(options.caPem !== undefined ? { ca: [...rootCertificates, options.caPem] } : {}),
    });
  }

  async send(req: HttpRequest): Promise<HttpResponse> {
    let current = req;
    for (let hop = 0; ; hop++) {
      const res = await this.once(current);
      const location = res.headers.location;
      if (
        !REDIRECTS.has(res.status) ||
        location === undefined ||
        !['GET', 'HEAD'].includes(current.method)
      ) {
        return res;
      }
      if (hop >= MAX_REDIRECTS) {
        throw new OciError('protocol', req.url, `more than ${MAX_REDIRECTS} redirects`);
      }
      const next = new URL(location, current.url);
      const headers = { ...current.headers };
      if (next.host !== new URL(current.url).host) delete headers.Authorization;
      current = { ...current, url: next.toString(), headers };
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private once(req: HttpRequest): Promise<HttpResponse> {
    const url = new URL(req.url);
    const https = url.protocol === 'https:';
    // The request timeout and the caller's signal, in one (AbortSignal.any needs Node 20.3).
    const controller = new AbortController();
    const signal = controller.signal;
    const caller = this.options.signal;
    const onAbort = () => controller.abort(caller?.reason);
    const timer = setTimeout(() => controller.abort(new Error('timeout')), this.options.timeoutMs);
    caller?.addEventListener('abort', onAbort, { once: true });
    if (caller?.aborted) onAbort();
    const done = () => {
      clearTimeout(timer);
      caller?.removeEventListener('abort', onAbort);
    };
    const headers: Record<string, string> = {
      'User-Agent': this.options.userAgent,
      ...req.headers,
    };
    if (req.body !== undefined) headers['Content-Length'] = String(req.body.length);
    return new Promise<HttpResponse>((resolve, reject) => {
      const options = { method: req.method, headers, signal };
      const onResponse = (res: import('node:http').IncomingMessage): void => {
        const declared = Number(res.headers['content-length'] ?? NaN);
        if (req.method !== 'HEAD' && declared > req.limit) {
          res.destroy();
          reject(tooLarge(req, declared));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > req.limit) {
            res.destroy();
            reject(tooLarge(req, size));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            url: req.url,
          }),
        );
        res.on('error', (err) => reject(failure(req, err, signal, this.options.signal)));
      };
      const client = https
        ? httpsRequest(url, { ...options, agent: this.agent }, onResponse)
        : httpRequest(url, options, onResponse);
      client.on('error', (err) => reject(failure(req, err, signal, this.options.signal)));
      client.end(req.body);
    }).finally(done);
  }
}

function tooLarge(req: HttpRequest, size: number): OciError {
  return new OciError(
    'too_large',
    `${req.method} ${req.url}`,
    `response of ${size} bytes is over the limit of ${req.limit}`,
  );
}

function failure(
  req: HttpRequest,
  err: Error,
  signal: AbortSignal,
  callerSignal: AbortSignal | undefined,
): OciError {
  const where = `${req.method} ${req.url}`;
  const code = (err as { code?: unknown }).code;
  if (signal.aborted) {
    if (callerSignal?.aborted)
      return new OciError('timeout', where, 'aborted by the caller', { cause: err });
    return new OciError('timeout', where, 'no answer within the request timeout', { cause: err });
  }
  if (typeof code === 'string' && TLS_CODES.test(code)) {
    return new OciError(
      'tls',
      where,
      `TLS: the server's certificate was refused (${code}: ${err.message}); if a private CA signed it, give that CA (caFile)`,
      { cause: err },
    );
  }
  return new OciError(
    'network',
    where,
    `${typeof code === 'string' ? `${code}: ` : ''}${err.message}`,
    { cause: err },
  );
}
