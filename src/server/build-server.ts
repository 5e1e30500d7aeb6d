// The Fastify factory: HTTPS only, TLS 1.2+, a long keep-alive, a body limit, JSON errors.
import Fastify, { LogController } from 'fastify';
import type { Server as TlsServer } from 'node:tls';
import type { ServerDeps } from './deps';
import { closeConnectionsWhileDraining } from './drain';
import { toHttpError } from './error-status';
import { healthRoutes } from './routes/health';
import { validateRoute } from './routes/validate';

/**
 * 7 MiB, as controller-runtime's webhook server: etcd refuses values over 1.5 MiB and the
 * apiserver bodies over 3 MiB; an AdmissionReview carries object and oldObject (UPDATE), plus
 * the envelope, so 2 × 3 MiB and some headroom. Larger bodies get 413.
 */
export const BODY_LIMIT = 7 * 1024 * 1024;

/** The certificate the server presents: src/certs makes it (ServingCert), the server serves it. */
export interface ServerCertificate {
  cert: string;
  key: string;
  expiresAt: Date;
}

export interface ServerOptions {
  tls: ServerCertificate;
  keepAliveTimeoutMs: number;
  /** Time to receive a whole request; past it Node answers 408 and closes the connection. */
  requestTimeoutMs: number;
}

export async function buildServer(deps: ServerDeps, opts: ServerOptions) {
  const app = Fastify({
    loggerInstance: deps.logger,
    // The decision line is the per-request line; Fastify's own request lines would double it.
    logController: new LogController({ disableRequestLogging: true }),
    https: {
      key: opts.tls.key,
      cert: opts.tls.cert,
      minVersion: 'TLSv1.2',
      // Node enforces requestTimeout only together with a headersTimeout no longer than it (set
      // after creation, as Fastify sets requestTimeout, it waits for the 60 s headersTimeout),
      // and checks both every connectionsCheckingInterval (default 30 s).
      headersTimeout: Math.min(60_000, opts.requestTimeoutMs),
      connectionsCheckingInterval: Math.min(1000, opts.requestTimeoutMs),
    },
    keepAliveTimeout: opts.keepAliveTimeoutMs,
    requestTimeout: opts.requestTimeoutMs,
    bodyLimit: BODY_LIMIT,
    // JSON.parse makes `__proto__` an own key, which pollutes nothing; refusing it (Fastify's
    // default) would refuse objects the apiserver accepts, e.g. a ConfigMap key `__proto__`.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
    // A request that reaches a closing server on a kept-alive connection is answered, not
    // refused: a 503 is a failed webhook call to the apiserver (see drain.ts).
    return503OnClosing: false,
  });
  closeConnectionsWhileDraining(app, () => !deps.isReady());
  // AdmissionReviews are JSON; Fastify's default text/plain parser would let other bodies through
  // to a 400, where a wrong content type deserves 415.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler((err, request, reply) => {
    const http = toHttpError(err);
    if (http.status >= 500) request.log.error({ err }, 'request failed');
    deps.metrics.errors.inc({ code: http.body.error.code });
    deps.metrics.requests.inc({ operation: '', kind: '', code: http.status });
    return reply.code(http.status).send(http.body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: { code: 'PAL_ERR_NOT_FOUND', message: `no route ${request.method} ${request.url}` },
    }),
  );
  await app.register(healthRoutes, deps);
  await app.register(validateRoute, deps);
  deps.metrics.certificateExpiry.set(opts.tls.expiresAt.getTime() / 1000);
  return app;
}

export type App = Awaited<ReturnType<typeof buildServer>>;

/** Swaps the serving certificate in place: new handshakes use it, open connections continue. */
export function replaceCertificate(app: App, deps: ServerDeps, tls: ServerCertificate): void {
  (app.server as unknown as TlsServer).setSecureContext({
    key: tls.key,
    cert: tls.cert,
    minVersion: 'TLSv1.2',
  });
  deps.metrics.certificateExpiry.set(tls.expiresAt.getTime() / 1000);
}
