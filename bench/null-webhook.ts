// The reference for the bench: the same stack as Palisade (Node, Fastify, HTTPS with the same
// TLS and keep-alive settings, JSON body parsing) answering allowed without evaluating anything.
//
// Usage: node null-webhook.js [PORT] [--tls-cert FILE --tls-key FILE] [--deny-name NAME]
// With no certificate files it serves a self-signed one it makes (bench/run.ts does not verify
// it); bench/apiserver.ts passes files whose CA it gives the apiserver. --deny-name denies the
// request for an object of that name (request.name), so a caller can see when the apiserver has
// the webhook in effect (bench-webhook.ts waitWebhook); every other request is allowed.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { BODY_LIMIT } from '../src/server/build-server';
import { selfSigned } from '../src/certs/serving-cert';

interface Options {
  port: number;
  tls: { key: string; cert: string };
  denyName?: string;
}

function parseArgs(argv: string[]): Options {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`null-webhook: ${a} needs a value`);
    flags.set(a, value);
  }
  const unknown = [...flags.keys()].filter(
    (f) => !['--tls-cert', '--tls-key', '--deny-name'].includes(f),
  );
  if (unknown.length > 0) throw new Error(`null-webhook: unknown option(s) ${unknown.join(', ')}`);
  const port = Number(positional[0] ?? 0);
  if (!Number.isInteger(port) || port < 0)
    throw new Error(`null-webhook: bad port ${positional[0]}`);
  const certFile = flags.get('--tls-cert');
  const keyFile = flags.get('--tls-key');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new Error('null-webhook: --tls-cert and --tls-key go together');
  }
  const tls =
    certFile !== undefined && keyFile !== undefined
      ? { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') }
      : selfSigned(['127.0.0.1']);
  const denyName = flags.get('--deny-name');
  return {
    port,
    tls: { key: tls.key, cert: tls.cert },
    ...(denyName !== undefined && { denyName }),
  };
}

async function main() {
  const { port, tls, denyName } = parseArgs(process.argv.slice(2));
  const app = Fastify({
    https: { key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' },
    keepAliveTimeout: 120_000,
    bodyLimit: BODY_LIMIT,
  });
  app.post('/validate', async (request) => {
    const review = request.body as {
      apiVersion: string;
      request: { uid: string; name?: string };
    };
    const deny = denyName !== undefined && review.request.name === denyName;
    return {
      apiVersion: review.apiVersion,
      kind: 'AdmissionReview',
      response: deny
        ? {
            uid: review.request.uid,
            allowed: false,
            status: { code: 403, message: `the null webhook denies ${denyName}` },
          }
        : { uid: review.request.uid, allowed: true },
    };
  });
  await app.listen({ host: '127.0.0.1', port });
  const addr = app.server.address() as { port: number };
  process.stdout.write(`listening ${addr.port}\n`);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
