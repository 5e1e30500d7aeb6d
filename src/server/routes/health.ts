import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from '../deps';

/**
 * /healthz: the process answers. /readyz: a verified bundle serves, TLS is up, not draining; a
 * 503 says why in `reason` (e.g. the first bundle of a remote source could not be downloaded).
 */
export async function healthRoutes(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const reason = deps.isReady() ? deps.notReadyReason?.() : 'draining';
    if (reason === undefined) return reply.code(200).send({ status: 'ready' });
    return reply.code(503).send({ status: 'not ready', reason });
  });
  app.get('/metrics', async (_request, reply) => {
    const body = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(body);
  });
}
