// Shutdown that loses no request (a rollout, a scale-down, a node drain). Kubernetes sends SIGTERM
// and removes the pod from the Service's endpoints at the same time, and that removal takes a few
// seconds to reach every node: connections keep arriving meanwhile. So on the first signal
// readiness goes off, but Palisade keeps serving for server.drainDelaySeconds, answering every
// request with `Connection: close` so keep-alive clients (the apiserver reuses its connections)
// open their next one to another replica. Then the listener closes (a refused connect is retried
// elsewhere by a load balancer), idle connections are closed, in-flight requests finish within
// server.drainTimeoutMs, and Palisade exits.
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';

/** The server buildServer makes: HTTPS, with Palisade's pino logger. */
type HttpsApp = FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>;

/**
 * Connections that have carried no request yet, per server. Node counts such a connection as
 * busy (waiting for its first headers, so headersTimeout applies), so close() does not close
 * it, and it would hold the close up until the drain timeout; an HTTP client's spare
 * connection (Go's transport dials them) stays like that indefinitely.
 */
const unusedConnections = new WeakMap<object, { closing: boolean; sockets: Set<Socket> }>();

/**
 * Registered when the server is built: while `draining()` is true, each answer closes its
 * connection once sent. Decided when the answer is sent (onSend runs for errors and 404s too),
 * so a request that arrived before the signal and ends after the close does not leave an idle
 * keep-alive connection either.
 */
export function closeConnectionsWhileDraining(app: HttpsApp, draining: () => boolean): void {
  const unused = { closing: false, sockets: new Set<Socket>() };
  unusedConnections.set(app, unused);
  app.server.on('secureConnection', (socket: Socket) => {
    if (unused.closing) return void socket.destroy();
    unused.sockets.add(socket);
    socket.once('close', () => unused.sockets.delete(socket));
  });
  app.addHook('onRequest', async (request) => {
    unused.sockets.delete(request.raw.socket);
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (draining()) reply.header('connection', 'close');
    return payload;
  });
}

/** Ends the connections that never carried a request, and any that completes its handshake now. */
function closeUnusedConnections(app: object): void {
  const unused = unusedConnections.get(app);
  if (!unused) return;
  unused.closing = true;
  for (const socket of unused.sockets) socket.destroy();
}

export interface DrainOptions {
  delayMs: number;
  /** Bound on the in-flight requests once the listener is closed. */
  timeoutMs: number;
  logger: Logger;
  /** Called on the first signal, before anything else: turn readiness off, stop watchers. */
  onSignal: () => void;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** All the drain needs of the server (a Fastify instance, whatever its logger type). */
interface Closable {
  close(): PromiseLike<unknown>;
}

/**
 * Waits for SIGTERM or SIGINT, then drains `app` (see the top of this file); resolves when
 * Palisade may exit. A second signal ends the delay at once (a human pressing Ctrl-C twice, an
 * impatient supervisor); in-flight requests still finish. Without a listener of our own, a second
 * SIGTERM would kill the process mid-request.
 */
export function drainOnSignal(app: Closable, opts: DrainOptions): Promise<void> {
  const { logger } = opts;
  let endDelay: (() => void) | undefined;
  return new Promise<void>((done) => {
    const onSignal = (signal: string) => {
      if (endDelay) {
        logger.info({ signal }, 'second signal: ending the drain delay now (if still running)');
        endDelay();
        return;
      }
      const delay = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, opts.delayMs);
        endDelay = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      opts.onSignal();
      logger.info(
        { signal, delaySeconds: opts.delayMs / 1000 },
        'draining: readiness off, answering with Connection: close until the delay is over',
      );
      void delay
        .then(() => close(app, opts))
        .then(() => {
          for (const s of SIGNALS) process.off(s, onSignal);
          done();
        });
    };
    for (const s of SIGNALS) process.on(s, onSignal);
  });
}

/** Stops accepting, closes idle connections, and waits for in-flight requests, within the bound. */
async function close(app: Closable, opts: DrainOptions): Promise<void> {
  opts.logger.info('closing: no new connections, finishing in-flight requests');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), opts.timeoutMs);
  });
  // Fastify's close() ends server.close(), which in Node 19+ also closes idle keep-alive
  // connections; a connection busy with a request closes after its answer (Connection: close).
  closeUnusedConnections(app);
  const late = await Promise.race([Promise.resolve(app.close()).then(() => false), timedOut]);
  clearTimeout(timer);
  if (late) {
    opts.logger.warn(
      { drainTimeoutMs: opts.timeoutMs },
      'drain timeout: exiting with requests still in flight',
    );
  }
}
