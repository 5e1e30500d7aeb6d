// A client of one repository on one registry, by the OCI distribution spec: manifests and blobs
// under /v2/<name>/, and the auth flow a registry asks for in its 401's WWW-Authenticate:
// `Basic` (the credentials on every request) or `Bearer realm,service,scope` (a token from the
// realm, fetched with the credentials, or anonymously, then sent as `Bearer <token>`; an
// identity token is exchanged by the OAuth2 refresh_token grant). Status codes become OciErrors
// naming the request: 401 unauthorized, 403 denied, 404 not found, others protocol.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  authCacheKey,
  cachedAuthorization,
  forgetAuthorization,
  rememberAuthorization,
} from './auth-cache';
import { type AuthChallenge, parseChallenges } from './challenge';
import { credentialsFromFile, describeCredentials, type RegistryCredentials } from './credentials';
import { HttpTransport, type HttpRequest, type HttpResponse } from './http';
import { OciError } from './oci-error';
import { formatOciReference, type OciReference } from './reference';

/** How to reach a registry: the options pullBundle and pushBundle take. */
export interface RegistryOptions {
  /** A user and password, or an identity token; wins over credentialsFile. */
  readonly credentials?: RegistryCredentials;
  /** A Docker config.json-style file; its entry for the registry is used. */
  readonly credentialsFile?: string;
  /** PEM file of a CA to trust besides Node's roots (a private registry's). */
  readonly caFile?: string;
  /** Plain HTTP instead of HTTPS (a local development registry), as `oras --plain-http`. */
  readonly plainHttp?: boolean;
  /** Milliseconds one request may take; default 30 000. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export type Action = 'pull' | 'pull,push';

const USER_AGENT = 'palisade';
const SMALL_LIMIT = 1024 * 1024;
/** A token without expires_in lasts 60 s (Docker's token spec). */
const DEFAULT_TOKEN_TTL_SECONDS = 60;
/** How long a registry that asked for Basic auth gets the header up front. */
const BASIC_TTL_SECONDS = 3600;

export class RegistryClient {
  private readonly http: HttpTransport;
  private readonly credentials: RegistryCredentials | undefined;
  private readonly credentialsSource: string;
  private readonly base: string;
  private authorization: string | undefined;
  private readonly cacheKey: string;

  constructor(
    readonly ref: OciReference,
    private readonly action: Action,
    options: RegistryOptions,
  ) {
    let caPem: string | undefined;
    if (options.caFile !== undefined) {
      try {
        caPem = readFileSync(options.caFile, 'utf8');
      } catch (thrown) {
        throw new OciError('tls', `CA file ${options.caFile}`, (thrown as Error).message, {
          cause: thrown,
        });
      }
      if (!caPem.includes('-----BEGIN CERTIFICATE-----')) {
        throw new OciError('tls', `CA file ${options.caFile}`, 'holds no PEM certificate');
      }
    }
    this.credentials =
      options.credentials ??
      (options.credentialsFile !== undefined
        ? credentialsFromFile(options.credentialsFile, ref.registry)
        : undefined);
    this.credentialsSource =
      options.credentials !== undefined
        ? 'the given credentials'
        : options.credentialsFile !== undefined
          ? this.credentials
            ? `the entry for ${ref.registry} in ${options.credentialsFile}`
            : `no entry for ${ref.registry} in ${options.credentialsFile}`
          : 'no credentials given';
    this.http = new HttpTransport({
      ...(caPem !== undefined ? { caPem } : {}),
      timeoutMs: options.timeoutMs ?? 30_000,
      ...(options.signal ? { signal: options.signal } : {}),
      userAgent: USER_AGENT,
    });
    this.base = `${options.plainHttp ? 'http' : 'https'}://${ref.endpoint}/v2/${ref.repository}`;
    this.cacheKey = authCacheKey([this.base, action, this.credentials ?? null]);
    this.authorization = cachedAuthorization(this.cacheKey);
  }

  /** `/v2/<name>` + path, e.g. `/manifests/v1`. */
  url(path: string): string {
    return `${this.base}${path}`;
  }

  /**
   * Sends a request with the current authorization; on a 401 follows the challenge once and
   * retries. Statuses in `expect` are returned, others thrown as OciErrors naming the request.
   */
  async send(
    req: Omit<HttpRequest, 'limit'> & { limit?: number },
    expect: readonly number[],
  ): Promise<HttpResponse> {
    const full: HttpRequest = { limit: SMALL_LIMIT, ...req };
    let res = await this.http.send(this.withAuth(full));
    if (res.status === 401) {
      // First contact, or a token that expired: follow the challenge, then retry once.
      forgetAuthorization(this.cacheKey);
      const { authorization, ttlSeconds } = await this.authorize(res, full);
      this.authorization = authorization;
      res = await this.http.send(this.withAuth(full));
      if (res.status !== 401) rememberAuthorization(this.cacheKey, authorization, ttlSeconds);
    }
    if (expect.includes(res.status)) return res;
    throw this.statusError(full, res);
  }

  close(): void {
    this.http.close();
  }

  private withAuth(req: HttpRequest): HttpRequest {
    if (this.authorization === undefined) return req;
    return { ...req, headers: { ...req.headers, Authorization: this.authorization } };
  }

  private async authorize(
    res: HttpResponse,
    req: HttpRequest,
  ): Promise<{ authorization: string; ttlSeconds: number }> {
    const challenges = parseChallenges(res.headers['www-authenticate']);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer) return this.bearerToken(bearer);
    if (challenges.some((c) => c.scheme === 'basic')) {
      const c = this.credentials;
      if (c === undefined || !('username' in c)) {
        throw this.unauthorized(req, res, 'the registry asks for basic auth (user and password)');
      }
      return {
        authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`,
        ttlSeconds: BASIC_TTL_SECONDS,
      };
    }
    throw new OciError(
      'unauthorized',
      `${req.method} ${req.url}`,
      `401 with no Basic or Bearer challenge (WWW-Authenticate: ${String(res.headers['www-authenticate'] ?? 'none')})`,
      { httpStatus: 401 },
    );
  }

  /** The token server's answer to the challenge, for this repository and action. */
  private async bearerToken(
    challenge: AuthChallenge,
  ): Promise<{ authorization: string; ttlSeconds: number }> {
    const realm = challenge.params.realm;
    if (realm === undefined) {
      throw new OciError(
        'protocol',
        formatOciReference(this.ref),
        'Bearer challenge without a realm',
      );
    }
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new OciError(
        'protocol',
        formatOciReference(this.ref),
        `Bearer realm "${realm}" is not a URL`,
      );
    }
    if (url.protocol !== 'https:' && !this.base.startsWith('http:')) {
      throw new OciError(
        'protocol',
        `token server ${realm}`,
        'an https registry may not send credentials to a plain-http realm',
      );
    }
    const scope = `repository:${this.ref.repository}:${this.action}`;
    const service = challenge.params.service;
    const c = this.credentials;
    let res: HttpResponse;
    if (c !== undefined && 'identityToken' in c) {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: c.identityToken,
        client_id: USER_AGENT,
        scope,
      });
      if (service !== undefined) form.set('service', service);
      res = await this.http.send({
        method: 'POST',
        url: url.toString(),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: Buffer.from(form.toString()),
        limit: SMALL_LIMIT,
      });
    } else {
      if (service !== undefined) url.searchParams.set('service', service);
      url.searchParams.set('scope', scope);
      const headers: Record<string, string> = {};
      if (c !== undefined)
        headers.Authorization = `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
      res = await this.http.send({
        method: 'GET',
        url: url.toString(),
        headers,
        limit: SMALL_LIMIT,
      });
    }
    const where = `token server ${url.origin}${url.pathname}`;
    if (res.status === 401 || res.status === 403) {
      throw new OciError(
        res.status === 401 ? 'unauthorized' : 'denied',
        where,
        `${res.status} for ${scope} ${describeCredentials(c)} (${this.credentialsSource})${serverMessage(res)}`,
        { httpStatus: res.status },
      );
    }
    if (res.status !== 200) {
      throw new OciError(
        'protocol',
        where,
        `answered ${res.status} for ${scope}${serverMessage(res)}`,
        { httpStatus: res.status },
      );
    }
    let token: unknown;
    let expiresIn: unknown;
    try {
      const body = JSON.parse(res.body.toString('utf8')) as {
        token?: unknown;
        access_token?: unknown;
        expires_in?: unknown;
      };
      token = body.token ?? body.access_token;
      expiresIn = body.expires_in;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || token === '') {
      throw new OciError('protocol', where, 'answer has no "token" or "access_token"');
    }
    const ttlSeconds =
      typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : DEFAULT_TOKEN_TTL_SECONDS;
    return { authorization: `Bearer ${token}`, ttlSeconds };
  }

  private unauthorized(req: HttpRequest, res: HttpResponse, why: string): OciError {
    return new OciError(
      'unauthorized',
      `${req.method} ${req.url}`,
      `401 Unauthorized: ${why}; ${describeCredentials(this.credentials)} (${this.credentialsSource})${serverMessage(res)}`,
      { httpStatus: 401 },
    );
  }

  private statusError(req: HttpRequest, res: HttpResponse): OciError {
    const where = `${req.method} ${req.url}`;
    const message = serverMessage(res);
    switch (res.status) {
      case 401: {
        // A token without the scope: Distribution says so in the challenge's error parameter.
        const scoped = parseChallenges(res.headers['www-authenticate']).some(
          (c) => c.params.error === 'insufficient_scope',
        );
        if (scoped && this.credentials !== undefined) {
          return new OciError(
            'denied',
            where,
            `401 insufficient_scope: the token for ${describeCredentials(this.credentials)} does not grant ${this.action} on ${this.ref.repository}${message}`,
            { httpStatus: 401 },
          );
        }
        return this.unauthorized(
          req,
          res,
          this.credentials === undefined
            ? 'credentials needed'
            : 'the registry refused the credentials',
        );
      }
      case 403:
        return new OciError(
          'denied',
          where,
          `403 Forbidden: ${describeCredentials(this.credentials)} may not ${this.action} ${this.ref.repository}${message}`,
          { httpStatus: 403 },
        );
      case 404:
        return new OciError('not_found', where, `404 Not Found${message}`, { httpStatus: 404 });
      default:
        return new OciError('protocol', where, `unexpected status ${res.status}${message}`, {
          httpStatus: res.status,
        });
    }
  }
}

/** The registry's error codes and messages (distribution spec `{"errors": [{code, message}]}`). */
function serverMessage(res: HttpResponse): string {
  if (res.body.length === 0) return '';
  try {
    const parsed = JSON.parse(res.body.toString('utf8')) as {
      errors?: { code?: string; message?: string }[];
    };
    if (Array.isArray(parsed.errors) && parsed.errors.length > 0) {
      return ` (${parsed.errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ')})`;
    }
  } catch {
    // not JSON: fall through
  }
  const text = res.body.toString('utf8', 0, 200).replace(/\s+/g, ' ').trim();
  return text === '' ? '' : ` (${text})`;
}

/** `sha256:<hex>` of the bytes. */
export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
