// HttpTransport against local servers: a server that never answers is a `timeout`, a body over
// the limit `too_large` (declared or streamed), a refused connection `network`, and a redirect
// to another host is followed without the Authorization header.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { HttpTransport } from '../../../../src/bundles/oci/http';
import { OciError } from '../../../../src/bundles/oci';

const servers: (HttpServer | NetServer)[] = [];
afterAll(async () => {
  for (const s of servers) {
    if ('closeAllConnections' in s) s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

function listen<S extends HttpServer | NetServer>(server: S): Promise<string> {
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`127.0.0.1:${(server.address() as { port: number }).port}`),
    ),
  );
}

async function refusal(p: Promise<unknown>): Promise<OciError> {
  const thrown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(thrown instanceof OciError)) throw new Error(`expected an OciError, got ${String(thrown)}`);
  return thrown;
}

const transport = (timeoutMs = 30_000) => new HttpTransport({ timeoutMs, userAgent: 'test' });

it('a server that accepts and never answers is a timeout', async () => {
  const sockets: import('node:net').Socket[] = [];
  const silent = createNetServer((socket) => sockets.push(socket));
  const host = await listen(silent);
  const t = transport(200);
  const err = await refusal(t.send({ method: 'GET', url: `http://${host}/v2/`, limit: 10 }));
  t.close();
  sockets.forEach((s) => s.destroy());
  expect(err.reason).toBe('timeout');
  expect(err.message).toContain(`GET http://${host}/v2/`);
});

it('a body over the limit is too_large, declared or not', async () => {
  const host = await listen(
    createHttpServer((req, res) => {
      if (req.url === '/declared')
        res.writeHead(200, { 'Content-Length': '100' }).end('x'.repeat(100));
      else {
        res.writeHead(200);
        res.write('x'.repeat(60));
        res.end('x'.repeat(60));
      }
    }),
  );
  const t = transport();
  expect(
    (await refusal(t.send({ method: 'GET', url: `http://${host}/declared`, limit: 50 }))).reason,
  ).toBe('too_large');
  const streamed = await refusal(
    t.send({ method: 'GET', url: `http://${host}/chunked`, limit: 50 }),
  );
  t.close();
  expect(streamed.reason).toBe('too_large');
  expect(streamed.message).toContain('over the limit of 50');
});

it('a refused connection is network, naming the URL', async () => {
  const probe = createNetServer();
  const host = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  servers.splice(servers.indexOf(probe), 1);
  const t = transport();
  const err = await refusal(
    t.send({ method: 'HEAD', url: `http://${host}/v2/a/manifests/v1`, limit: 10 }),
  );
  t.close();
  expect(err.reason).toBe('network');
  expect(err.message).toContain('ECONNREFUSED');
});

it('follows a redirect to another host without the Authorization header', async () => {
  const seen: (string | undefined)[] = [];
  const storage = await listen(
    createHttpServer((req, res) => {
      seen.push(req.headers.authorization);
      res.end('blob bytes');
    }),
  );
  const registry = await listen(
    createHttpServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(307, { Location: `http://${storage}/blob?sig=1` }).end();
    }),
  );
  const t = transport();
  const res = await t.send({
    method: 'GET',
    url: `http://${registry}/v2/a/blobs/sha256:x`,
    headers: { Authorization: 'Bearer secret' },
    limit: 100,
  });
  t.close();
  expect(res.status).toBe(200);
  expect(res.body.toString()).toBe('blob bytes');
  expect(seen).toEqual(['Bearer secret', undefined]);
});

it("the caller's signal aborts a request, said so", async () => {
  const sockets: import('node:net').Socket[] = [];
  const host = await listen(createNetServer((socket) => sockets.push(socket)));
  const controller = new AbortController();
  const t = new HttpTransport({ timeoutMs: 60_000, userAgent: 'test', signal: controller.signal });
  const pending = refusal(t.send({ method: 'GET', url: `http://${host}/v2/`, limit: 10 }));
  controller.abort();
  const err = await pending;
  t.close();
  sockets.forEach((s) => s.destroy());
  expect(err.reason).toBe('timeout');
  expect(err.message).toContain('aborted by the caller');
});
