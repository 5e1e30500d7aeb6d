// What pullBundle checks that the real registry never gets wrong, so a local stand-in serves
// it: a manifest or a layer whose bytes are not their digest (digest_mismatch), a layer bigger
// than its limit (too_large, before downloading it), a layer shorter than the manifest says,
// a manifest fetched by digest that is another. (Everything else: the real registry, in
// test/integration/oci-*.test.ts.)
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import {
  LAYER_MEDIA_TYPE,
  MANIFEST_MEDIA_TYPE,
  OciError,
  pullBundle,
} from '../../../../src/bundles/oci';

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const layer = gzipSync(Buffer.from('a bundle'));
const routes = new Map<string, Buffer>();
let server: Server;
let host: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const body = routes.get(req.url ?? '');
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': MANIFEST_MEDIA_TYPE, 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

function manifest(layerDigest: string, size: number): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST_MEDIA_TYPE,
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: sha(Buffer.from('{}')),
        size: 2,
      },
      layers: [{ mediaType: LAYER_MEDIA_TYPE, digest: layerDigest, size }],
    }),
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

const pull = (path: string, opts = {}) =>
  pullBundle(`oci://${host}/${path}`, { plainHttp: true, ...opts });

it('pulls a layer whose bytes are its digest', async () => {
  routes.set('/v2/ok/manifests/v1', manifest(sha(layer), layer.length));
  routes.set(`/v2/ok/blobs/${sha(layer)}`, layer);
  const result = await pull('ok:v1');
  expect(result.unchanged).toBe(false);
  if (!result.unchanged) expect(result.bytes.equals(layer)).toBe(true);
});

it('refuses a layer whose bytes are not its digest', async () => {
  const claimed = sha(Buffer.from('something else'));
  routes.set('/v2/tampered/manifests/v1', manifest(claimed, layer.length));
  routes.set(`/v2/tampered/blobs/${claimed}`, layer);
  const err = await refusal(pull('tampered:v1'));
  expect(err.reason).toBe('digest_mismatch');
  expect(err.message).toContain(`not ${claimed}`);
});

it('refuses a manifest fetched by digest that has another digest', async () => {
  const m = manifest(sha(layer), layer.length);
  const other = sha(Buffer.from('other manifest'));
  routes.set(`/v2/bydigest/manifests/${other}`, m);
  const err = await refusal(pull(`bydigest@${other}`));
  expect(err.reason).toBe('digest_mismatch');
  expect(err.message).toContain(sha(m));
});

it('refuses a layer over maxBytes before downloading it', async () => {
  routes.set('/v2/big/manifests/v1', manifest(sha(layer), 10_000_000));
  const err = await refusal(pull('big:v1', { maxBytes: 1_000_000 }));
  expect(err.reason).toBe('too_large');
  expect(err.message).toContain('10000000 bytes is over the limit of 1000000');
});

it('refuses a layer shorter than the manifest says', async () => {
  routes.set('/v2/short/manifests/v1', manifest(sha(layer), layer.length + 5));
  routes.set(`/v2/short/blobs/${sha(layer)}`, layer);
  const err = await refusal(pull('short:v1'));
  expect(err.reason).toBe('protocol');
  expect(err.message).toContain(`the manifest says ${layer.length + 5}`);
});

it('a lastDigest equal to the reference digest asks nothing', async () => {
  const d = sha(Buffer.from('never served'));
  expect(await pull(`absent@${d}`, { lastDigest: d })).toMatchObject({
    unchanged: true,
    digest: d,
  });
});
