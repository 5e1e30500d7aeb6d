// The reference for the bench: the same stack as Palisade (Node, Fastify, HTTPS with the same
// TLS and keep-alive settings, JSON body parsing) answering allowed without evaluating anything.
import Fastify from 'fastify';
import { BODY_LIMIT } from '../src/server/build-server';
import { selfSigned } from '../src/certs/serving-cert';

async function main() {
  const port = Number(process.argv[2] ?? 0);
  const tls = selfSigned(['127.0.0.1']);
  const app = Fastify({
    https: { key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' },
    keepAliveTimeout: 120_000,
    bodyLimit: BODY_LIMIT,
  });
  app.post('/validate', async (request) => {
    const review = request.body as { apiVersion: string; request: { uid: string } };
    return {
      apiVersion: review.apiVersion,
      kind: 'AdmissionReview',
      response: { uid: review.request.uid, allowed: true },
    };
  });
  await app.listen({ host: '127.0.0.1', port });
  const addr = app.server.address() as { port: number };
  process.stdout.write(`listening ${addr.port}\n`);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
