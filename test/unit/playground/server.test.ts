// The playground's local server on a real socket: the page's files with their types and CSP,
// and what keeps another site from driving it (a foreign Host, a non-JSON or oversized compile).
// The compile itself runs real opa in test/integration/playground.test.ts.
import { request } from 'node:http';
import type { PolicyCompiler } from '../../../src/cli/playground/compile-policy';
import {
  MAX_COMPILE_BODY,
  ownHost,
  startPlaygroundServer,
} from '../../../src/cli/playground/server';

type Answer = { status: number; type?: string; csp?: string; body: string };

function call(
  url: string,
  path: string,
  opts: { method?: string; host?: string; type?: string; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const u = new URL(path, url);
    const req = request(
      u,
      {
        method: opts.method ?? 'GET',
        headers: {
          ...(opts.host ? { host: opts.host } : {}),
          ...(opts.type ? { 'content-type': opts.type } : {}),
        },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            type: res.headers['content-type'],
            csp: res.headers['content-security-policy'] as string | undefined,
            body,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const files = new Map([
  ['index.html', Buffer.from('<!doctype html>')],
  ['bundle/policy.wasm', Buffer.from([0, 97, 115, 109])],
]);
const compiled: unknown[] = [];
const compiler = {
  compile: async (req: unknown) => {
    compiled.push(req);
    return { ok: false, problems: [{ message: 'stub' }] };
  },
} as unknown as PolicyCompiler;

describe('the playground server', () => {
  let url: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const s = await startPlaygroundServer({ host: '127.0.0.1', port: 0, files, compiler });
    url = s.url;
    close = s.close;
  });
  afterAll(() => close());

  it('listens on loopback and serves the page and the bundle with their types and the CSP', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await call(url, '/');
    expect([page.status, page.type, page.body]).toEqual([
      200,
      'text/html; charset=utf-8',
      '<!doctype html>',
    ]);
    expect(page.csp).toContain("default-src 'none'");
    await expect(call(url, '/bundle/policy.wasm')).resolves.toMatchObject({
      status: 200,
      type: 'application/wasm',
    });
    await expect(call(url, '/../etc/passwd')).resolves.toMatchObject({ status: 404 });
  });

  it('refuses a request for another Host (DNS rebinding)', async () => {
    const port = new URL(url).port;
    await expect(call(url, '/', { host: `evil.example:${port}` })).resolves.toMatchObject({
      status: 421,
    });
    await expect(call(url, '/', { host: `localhost:${port}` })).resolves.toMatchObject({
      status: 200,
    });
  });

  it.each([
    ['127.0.0.1:8780', true],
    ['localhost:8780', true],
    ['LOCALHOST:8780', true],
    ['[::1]:8780', true],
    ['192.168.1.20:8780', true],
    ['evil.example:8780', false],
    ['127.0.0.1.nip.io:8780', false],
    ['127.0.0.1:8781', false],
    ['127.0.0.1', false],
    [undefined, false],
  ])('takes Host %j as its own: %s', (header, own) => {
    expect(ownHost(header, 8780)).toBe(own);
  });

  it('compiles only a POST of JSON, within the size limit', async () => {
    const post = (type: string, body: string) =>
      call(url, '/compile', { method: 'POST', type, body });
    await expect(call(url, '/compile')).resolves.toMatchObject({ status: 405 });
    await expect(post('text/plain', '{}')).resolves.toMatchObject({ status: 415 });
    await expect(post('application/json', 'not json')).resolves.toMatchObject({ status: 400 });
    await expect(post('application/json', '{"policy": 1}')).resolves.toMatchObject({
      status: 400,
    });
    const big = JSON.stringify({ policy: 'p', file: 'f', rego: 'x'.repeat(MAX_COMPILE_BODY) });
    await expect(post('application/json', big)).resolves.toMatchObject({ status: 413 });
    expect(compiled).toEqual([]);
    const ok = await post('application/json', '{"policy":"p","file":"policy.rego","rego":"x"}');
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ ok: false, problems: [{ message: 'stub' }] });
    expect(compiled).toEqual([{ policy: 'p', file: 'policy.rego', rego: 'x' }]);
  });
});
