// The playground's local HTTP server (node:http; Fastify belongs to src/server): the page's
// files and POST /compile. On 127.0.0.1 unless told otherwise. A page of another site must not
// drive the local opa: a request whose Host is a DNS name other than localhost is refused (DNS
// rebinding points a name of the attacker's at this address; an IP address in Host cannot be
// rebound, so --host 0.0.0.0 stays reachable by address), and
// /compile takes only application/json, which a cross-origin page cannot send without a CORS
// preflight this server never answers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { CONTENT_TYPES } from './assets';
import type { PolicyCompiler } from './compile-policy';
import { CSP } from './page-html';
import type { CompileRequest } from './page/protocol';

/** An edited policy is a few kB; anything near this is not one. */
export const MAX_COMPILE_BODY = 1024 * 1024;

export interface PlaygroundServer {
  url: string;
  close(): Promise<void>;
}

export async function startPlaygroundServer(opts: {
  host: string;
  port: number;
  files: ReadonlyMap<string, Buffer>;
  compiler?: PolicyCompiler;
  log?: (line: string) => void;
}): Promise<PlaygroundServer> {
  let port = 0;
  const server: Server = createServer((req, res) => {
    handle(req, res, port, opts).catch((thrown: unknown) => {
      opts.log?.(`playground: ${String(thrown)}`);
      send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  port: number,
  opts: { files: ReadonlyMap<string, Buffer>; compiler?: PolicyCompiler },
): Promise<void> {
  if (!ownHost(req.headers.host, port)) {
    return send(res, 421, 'text/plain; charset=utf-8', 'unknown Host\n');
  }
  const path = new URL(req.url ?? '/', 'http://x').pathname.slice(1) || 'index.html';
  if (path === 'compile') return compile(req, res, opts.compiler);
  const body = opts.files.get(path);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
  }
  if (!body) return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  send(res, 200, CONTENT_TYPES[extname(path)] ?? 'application/octet-stream', body);
}

/** Host names this server as `localhost` or an IP address, with its port. */
export function ownHost(header: string | undefined, port: number): boolean {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d+)$/.exec(header ?? '');
  if (!m || Number(m[2]) !== port) return false;
  const name = m[1]!.replace(/^\[|\]$/g, '');
  return name.toLowerCase() === 'localhost' || isIP(name) !== 0;
}

async function compile(
  req: IncomingMessage,
  res: ServerResponse,
  compiler: PolicyCompiler | undefined,
): Promise<void> {
  const json = 'application/json';
  const problem = (status: number, message: string) =>
    send(res, status, json, JSON.stringify({ ok: false, problems: [{ message }] }));
  if (req.method !== 'POST') return problem(405, 'POST the policy to compile');
  if (!compiler) {
    return problem(404, 'no policy sources: start palisade playground with --policies DIR');
  }
  if (!(req.headers['content-type'] ?? '').startsWith(json)) {
    return problem(415, 'the body must be application/json');
  }
  let text: string;
  try {
    text = await readBody(req, MAX_COMPILE_BODY);
  } catch (thrown) {
    return problem(413, (thrown as Error).message);
  }
  let body: CompileRequest;
  try {
    body = JSON.parse(text) as CompileRequest;
  } catch {
    return problem(400, 'the body is not JSON');
  }
  if (typeof body?.policy !== 'string' || typeof body.file !== 'string') {
    return problem(400, 'the body needs policy, file and rego (strings)');
  }
  const reply = await compiler.compile(body);
  send(res, 200, json, JSON.stringify(reply));
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const collect = (c: Buffer) => {
      size += c.length;
      if (size <= limit) return void chunks.push(c);
      // Answer 413 at once; the rest is discarded, not kept (send() closes the connection).
      req.off('data', collect);
      req.resume();
      reject(new Error(`the body is over ${limit} bytes`));
    };
    req.on('data', collect);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, {
    'content-type': type,
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    ...(status === 413 ? { connection: 'close' } : {}),
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
