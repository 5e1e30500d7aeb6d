// The HTTPS client of the tests and the bench: one request, its answer read whole (status,
// headers, text), and a client of one Palisade (or any local TLS server) that trusts only the
// CA it is given and keeps its connections alive. No retries: a failure is the caller's to see.
import { Agent, request, type RequestOptions } from 'node:https';

export interface HttpsAnswer {
  status: number;
  /** Lower-case names, as node gives them. */
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * One request (`options`, or a URL with `extra`). Headers are sent as given; without any, a
 * request with a body says it is JSON.
 */
export function httpsCall(
  options: RequestOptions | string,
  body?: string | Buffer,
  extra: RequestOptions = {},
): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const base = typeof options === 'string' ? extra : { ...options, ...extra };
    const json = body === undefined ? {} : { 'content-type': 'application/json' };
    const withHeaders = { ...base, headers: base.headers ?? json };
    const onAnswer = (res: import('node:http').IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          json: () => JSON.parse(text),
        });
      });
      res.on('error', reject);
    };
    const req =
      typeof options === 'string'
        ? request(options, withHeaders, onAnswer)
        : request(withHeaders, onAnswer);
    // `timeout` (idle socket, ms) fails the call instead of leaving it waiting.
    req.on('timeout', () =>
      req.destroy(new Error(`${base.method ?? 'GET'} ${base.path ?? options}: timed out`)),
    );
    req.on('error', reject);
    req.end(body);
  });
}

export interface LocalClient {
  get(path: string): Promise<HttpsAnswer>;
  /** POST (an object is serialized); `headers` as given, default a JSON content type. */
  post(path: string, body: string | object, headers?: Record<string, string>): Promise<HttpsAnswer>;
  close(): void;
}

/** A keep-alive client of https://127.0.0.1:PORT trusting only `ca`. */
export function localClient(port: number, ca: string | Buffer, maxSockets = 64): LocalClient {
  const agent = new Agent({ keepAlive: true, maxSockets, ca });
  const send = (method: string, path: string, body?: string, headers?: Record<string, string>) =>
    httpsCall({ host: '127.0.0.1', port, method, path, agent, ...(headers && { headers }) }, body);
  return {
    get: (path) => send('GET', path),
    post: (path, body, headers) =>
      send('POST', path, typeof body === 'string' ? body : JSON.stringify(body), headers),
    close: () => agent.destroy(),
  };
}

/** The text of https://127.0.0.1:PORT/metrics. */
export async function fetchMetrics(port: number, ca: string): Promise<string> {
  return (await httpsCall(`https://127.0.0.1:${port}/metrics`, undefined, { ca })).text;
}

/** POSTs `review` to `validateUrl`; resolves with the AdmissionReview answered. */
export async function postReview(validateUrl: string, ca: string, review: unknown) {
  const answer = await httpsCall(validateUrl, JSON.stringify(review), { ca, method: 'POST' });
  if (answer.status !== 200)
    throw new Error(`POST ${validateUrl}: ${answer.status} ${answer.text}`);
  return JSON.parse(answer.text) as {
    response: { uid: string; allowed: boolean; status?: { message?: string } };
  };
}

/** The value of one sample of a Prometheus text exposition, or undefined. */
export function metricValue(text: string, sample: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}
