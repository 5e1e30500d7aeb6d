// The https:// bundle source: GET the archive with If-None-Match (the last ETag), so a 304
// downloads nothing. The CA file (added to the system's roots) and the bearer-token file are read
// on every fetch, so a rotated mounted Secret is followed without a restart. Redirects are
// followed (https only, a few); the body is bounded.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { rootCertificates } from 'node:tls';
import { describeThrown, PalisadeError } from '../errors';
import type { BundleSource, FetchResult } from './source';

/** Why a download failed, in the words the OCI source uses (src/bundles/oci OciFailure). */
export type HttpsFailure =
  | 'credentials'
  | 'unauthorized'
  | 'denied'
  | 'not_found'
  | 'protocol'
  | 'tls'
  | 'network'
  | 'timeout'
  | 'too_large';

/** PAL_ERR_BUNDLE_FETCH with a `reason` a caller counts (the poller's failure metric). */
export class HttpsFetchError extends PalisadeError {
  constructor(
    readonly reason: HttpsFailure,
    url: string,
    problem: string,
  ) {
    super('PAL_ERR_BUNDLE_FETCH', [url, problem]);
    this.name = 'HttpsFetchError';
  }
}

export const MAX_BUNDLE_BYTES = 128 * 1024 * 1024;
const MAX_REDIRECTS = 5;

export interface HttpsOptions {
  /** PEM CA certificates trusted in addition to the system's. */
  caFile?: string;
  /** A file holding a bearer token, sent as `Authorization: Bearer <token>`. */
  credentialsFile?: string;
  timeoutMs: number;
}

export function httpsSource(url: string, opts: HttpsOptions): BundleSource {
  return {
    kind: 'https',
    name: url,
    fetch: (validator) => fetchHttps(url, opts, validator),
  };
}

async function fetchHttps(url: string, opts: HttpsOptions, etag?: string): Promise<FetchResult> {
  const fail = (why: string, reason: HttpsFailure = 'protocol') =>
    new HttpsFetchError(reason, url, why);
  const ca = opts.caFile
    ? [...rootCertificates, await readText(url, opts.caFile, 'tls')]
    : undefined;
  const token = opts.credentialsFile
    ? (await readText(url, opts.credentialsFile, 'credentials')).trim()
    : '';
  const headers: Record<string, string> = {
    accept: 'application/vnd.oci.image.layer.v1.tar+gzip, application/gzip, */*',
    'user-agent': 'palisade',
    ...(etag ? { 'if-none-match': etag } : {}),
  };
  let at = new URL(url);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    // The token goes to the configured host only, not to where a redirect points.
    const auth: Record<string, string> =
      token && at.host === new URL(url).host ? { authorization: `Bearer ${token}` } : {};
    const answer = await get(at, { ...headers, ...auth }, ca, opts.timeoutMs).catch(
      (thrown: unknown) => {
        throw fail(describeThrown(thrown), transportFailure(thrown));
      },
    );
    if (answer.status === 304) return { unchanged: true };
    if ([301, 302, 303, 307, 308].includes(answer.status) && answer.location) {
      at = new URL(answer.location, at);
      if (at.protocol !== 'https:') throw fail(`redirected to ${at.protocol} (https only)`);
      continue;
    }
    if (answer.status !== 200) {
      const reason = STATUS_FAILURES[answer.status] ?? 'protocol';
      throw fail(`HTTP ${answer.status} ${answer.statusText}`.trim(), reason);
    }
    const digest = `sha256:${createHash('sha256').update(answer.body).digest('hex')}`;
    // Without an ETag, the digest still lets the poller skip an archive it already serves.
    return { bytes: answer.body, digest, validator: answer.etag };
  }
  throw fail(`more than ${MAX_REDIRECTS} redirects`);
}

const STATUS_FAILURES: Record<number, HttpsFailure> = {
  401: 'unauthorized',
  403: 'denied',
  404: 'not_found',
};

class TooLarge extends Error {}
class TimedOut extends Error {}

function transportFailure(thrown: unknown): HttpsFailure {
  if (thrown instanceof TooLarge) return 'too_large';
  if (thrown instanceof TimedOut) return 'timeout';
  const code = String((thrown as NodeJS.ErrnoException).code ?? '');
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO|ERR_TLS|HOSTNAME|ALTNAME/.test(code)) return 'tls';
  return 'network';
}

interface Answer {
  status: number;
  statusText: string;
  etag?: string;
  location?: string;
  body: Buffer;
}

function get(
  url: URL,
  headers: Record<string, string>,
  ca: string[] | undefined,
  timeoutMs: number,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers, ...(ca ? { ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BUNDLE_BYTES) {
          req.destroy(new TooLarge(`the archive is larger than ${MAX_BUNDLE_BYTES} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          etag: header(res.headers.etag),
          location: header(res.headers.location),
          body: Buffer.concat(chunks),
        }),
      );
    });
    // One bound from connect to the last byte: a stalled server cannot hold a poll forever.
    const timer = setTimeout(
      () => req.destroy(new TimedOut(`no complete answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on('close', () => clearTimeout(timer));
    req.on('error', reject);
    req.end();
  });
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

async function readText(url: string, file: string, what: HttpsFailure): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (thrown) {
    throw new HttpsFetchError(what, url, `${file}: ${describeThrown(thrown)}`);
  }
}
