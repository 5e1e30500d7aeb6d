// A real OCI registry for the tests: CNCF Distribution (.tools/bin/registry, `bash
// scripts/tools.sh registry`) over TLS (a serving certificate for 127.0.0.1 from a CA made here)
// on a free port, with its storage in a temp directory. Auth is htpasswd (bcrypt, the users
// given), a Docker-style token server (`auth: token`: a small HTTPS server here that checks the
// same users by Basic auth and signs ES256 JWTs the registry verifies by its jwks file), or none.
// Started and stopped by the test; it can be stopped and started again on the same port and
// storage (a registry that goes down and comes back). Waits on the registry's `listening on` log
// line, never on time. Also: the real `oras` CLI (.tools/bin/oras) against it.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { freePort } from './free-port';
import { ROOT } from './root';
import { writeServingCert } from './serving-cert';

export const REGISTRY_BIN = join(ROOT, '.tools', 'bin', 'registry');
export const ORAS_BIN = join(ROOT, '.tools', 'bin', 'oras');

export type RegistryAuth = 'htpasswd' | 'token' | 'none';

export interface RegistryOptions {
  /** Default htpasswd. */
  auth?: RegistryAuth;
  /** user → password; default { palisade: <random> }. */
  users?: Record<string, string>;
  /** With auth token: users whose tokens grant pull only. */
  pullOnly?: string[];
  /** With auth token: identity (refresh) token → user, for the OAuth2 refresh_token grant. */
  identityTokens?: Record<string, string>;
}

export interface TokenRequest {
  user: string | undefined;
  scope: string | undefined;
  service: string | undefined;
}

export interface TestRegistry {
  /** 127.0.0.1:PORT, the host of its oci:// references. */
  host: string;
  /** oci://127.0.0.1:PORT/<path> */
  ref(path: string): string;
  /** PEM file of the CA that signed its certificate (and the token server's). */
  caFile: string;
  caPem: string;
  users: Readonly<Record<string, string>>;
  /** The first user and password. */
  username: string;
  password: string;
  /** A Docker config.json with the first user's entry for this registry. */
  credentialsFile: string;
  /** A Docker config.json file with `user`/`password` for this registry, written in its dir. */
  writeCredentials(user: string, password: string, name?: string): string;
  /** The token requests the token server answered so far (auth token only). */
  tokenRequests(): TokenRequest[];

  /** The registry's log so far (JSON lines on stderr). */
  output(): string;
  /** A directory of its own for the test's files. */
  dir: string;
  /** Stops the registry (the storage stays); `start()` runs it again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  remove(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;
const SERVICE = 'palisade-test-registry';
const ISSUER = 'palisade-test-token-server';
const KEY_ID = 'palisade-test-key';

export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  const auth = opts.auth ?? 'htpasswd';
  const users = opts.users ?? { palisade: randomBytes(12).toString('hex') };
  const [username, password] = Object.entries(users)[0] ?? ['', ''];
  const dir = mkdtempSync(join(tmpdir(), 'palisade-registry-'));
  const tls = writeServingCert(dir, 'registry');
  const caFile = join(dir, 'ca.crt');
  writeFileSync(caFile, tls.caPem);
  const port = await freePort();
  const host = `127.0.0.1:${port}`;

  let tokenServer: TokenServer | undefined;
  let authConfig: string[] = [];
  if (auth === 'htpasswd') {
    const htpasswd = join(dir, 'htpasswd');
    writeFileSync(
      htpasswd,
      Object.entries(users)
        .map(([u, p]) => `${u}:${bcrypt.hashSync(p, 6)}\n`)
        .join(''),
    );
    authConfig = ['auth:', '  htpasswd:', '    realm: palisade-test', `    path: ${htpasswd}`];
  } else if (auth === 'token') {
    tokenServer = await startTokenServer(
      tls,
      users,
      new Set(opts.pullOnly ?? []),
      opts.identityTokens ?? {},
    );
    const jwks = join(dir, 'jwks.json');
    writeFileSync(jwks, JSON.stringify({ keys: [tokenServer.jwk] }));
    authConfig = [
      'auth:',
      '  token:',
      `    realm: ${tokenServer.url}/token`,
      `    service: ${SERVICE}`,
      `    issuer: ${ISSUER}`,
      `    jwks: ${jwks}`,
      '    signingalgorithms: [ES256]',
    ];
  }
  const configFile = join(dir, 'config.yml');
  writeFileSync(
    configFile,
    [
      'version: 0.1',
      'log:',
      '  level: info',
      '  formatter: json',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'storage')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${host}`,
      `  secret: ${randomBytes(16).toString('hex')}`,
      '  tls:',
      `    certificate: ${tls.certFile}`,
      `    key: ${tls.keyFile}`,
      ...authConfig,
      '',
    ].join('\n'),
  );

  const writeCredentials = (
    user: string,
    pass: string,
    name = `${user}.docker-config.json`,
  ): string => {
    const file = join(dir, name);
    const entry = { auth: Buffer.from(`${user}:${pass}`).toString('base64') };
    writeFileSync(file, JSON.stringify({ auths: { [host]: entry } }), { mode: 0o600 });
    return file;
  };

  let proc: ChildProcess | undefined;
  let out = '';
  let exited: Promise<void> = Promise.resolve();
  const killOnExit = () => proc?.kill('SIGKILL');

  const start = async (): Promise<void> => {
    if (proc) return;
    const child = spawn(REGISTRY_BIN, ['serve', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc = child;
    process.once('exit', killOnExit);
    exited = new Promise((resolve) =>
      child.once('exit', () => {
        process.off('exit', killOnExit);
        if (proc === child) proc = undefined;
        resolve();
      }),
    );
    const mark = out.length;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => fail(`not listening after ${START_TIMEOUT_MS} ms`),
        START_TIMEOUT_MS,
      );
      const onData = (c: Buffer) => {
        out += c.toString();
        if (out.slice(mark).includes(`"msg":"listening on ${host}`)) {
          cleanup();
          resolve();
        }
      };
      const onExit = (code: number | null) => fail(`exited (${code})`);
      const onError = (err: Error) =>
        fail(`${err.message} (bash scripts/tools.sh registry builds it)`);
      const fail = (why: string) => {
        cleanup();
        child.kill('SIGKILL');
        reject(new Error(`registry ${REGISTRY_BIN} ${why}; its output:\n${out.slice(mark)}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        child.off('exit', onExit);
        child.off('error', onError);
      };
      child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr!.on('data', onData);
      child.once('exit', onExit);
      child.once('error', onError);
    });
  };

  const stop = async (): Promise<void> => {
    if (!proc) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc?.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  await start().catch(async (err: unknown) => {
    await tokenServer?.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });

  return {
    host,
    ref: (path) => `oci://${host}/${path}`,
    caFile,
    caPem: tls.caPem,
    users,
    username,
    password,
    credentialsFile: writeCredentials(username, password, 'docker-config.json'),
    writeCredentials,
    tokenRequests: () => [...(tokenServer?.requests ?? [])],

    output: () => out,
    dir,
    stop,
    start,
    async remove() {
      await stop();
      await tokenServer?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface TokenServer {
  url: string;
  jwk: Record<string, unknown>;
  requests: TokenRequest[];
  close(): Promise<void>;
}

/**
 * The token server of Docker's token auth: GET /token?service=...&scope=repository:NAME:ACTIONS
 * with Basic credentials answers `{"token": JWT}` granting the scope's actions (pull only for a
 * pull-only user; nothing for an anonymous request); POST /token with grant_type=refresh_token
 * and a known identity token answers `{"access_token": JWT}`; wrong credentials get 401.
 */
async function startTokenServer(
  tls: { certFile: string; keyFile: string },
  users: Record<string, string>,
  pullOnly: Set<string>,
  identityTokens: Record<string, string>,
): Promise<TokenServer> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: KEY_ID, alg: 'ES256', use: 'sig' };
  const requests: TokenRequest[] = [];
  // A token granting `scope`'s actions (pull only for a pull-only user); none without a scope.
  const mint = (user: string, scope: string | undefined): string => {
    const access = [];
    const m = /^repository:([^:]+):(.+)$/.exec(scope ?? '');
    if (m && user !== '') {
      const wanted = m[2]!.split(',');
      const actions = pullOnly.has(user) ? wanted.filter((a) => a === 'pull') : wanted;
      access.push({ type: 'repository', name: m[1], actions });
    }
    const now = Math.floor(Date.now() / 1000);
    return signJwt(privateKey, {
      iss: ISSUER,
      sub: user,
      aud: SERVICE,
      iat: now,
      nbf: now - 5,
      exp: now + 300,
      jti: randomUUID(),
      access,
    });
  };
  const refused = (res: import('node:http').ServerResponse, message: string) => {
    res.writeHead(401, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message }] }));
  };
  const server: Server = createServer(
    { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'https://token.invalid');
        // GET with Basic credentials, or POST of the OAuth2 refresh_token grant (an identity token).
        const form = new URLSearchParams(
          req.method === 'POST' ? Buffer.concat(chunks).toString() : '',
        );
        const param = (name: string) => url.searchParams.get(name) ?? form.get(name) ?? undefined;
        const scope = param('scope');
        const service = param('service');
        let user: string | undefined;
        const header = req.headers.authorization;
        if (req.method === 'POST') {
          user =
            form.get('grant_type') === 'refresh_token'
              ? identityTokens[form.get('refresh_token') ?? '']
              : undefined;
          if (user === undefined) {
            requests.push({ user, scope, service });
            return refused(res, 'unknown refresh token');
          }
        } else if (header?.startsWith('Basic ')) {
          const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
          const colon = decoded.indexOf(':');
          user = decoded.slice(0, colon);
          if (users[user] === undefined || users[user] !== decoded.slice(colon + 1)) {
            requests.push({ user, scope, service });
            return refused(res, 'wrong user or password');
          }
        }
        requests.push({ user, scope, service });
        if (url.pathname !== '/token' || service !== SERVICE) {
          res.writeHead(400).end();
          return;
        }
        const token = user === undefined ? mint('', undefined) : mint(user, scope);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        // The OAuth2 answer names it access_token; Docker's GET answer names it token.
        res.end(
          JSON.stringify(
            req.method === 'POST'
              ? { access_token: token, expires_in: 300 }
              : { token, expires_in: 300 },
          ),
        );
      });
    },
  );
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
  return {
    url: `https://127.0.0.1:${port}`,
    jwk,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function signJwt(key: KeyObject, claims: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${part({ alg: 'ES256', typ: 'JWT', kid: KEY_ID })}.${part(claims)}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

export interface OrasResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real oras with `args` in `cwd`; resolves with its exit code and output (never rejects on a non-zero exit). */
export function oras(args: string[], cwd: string): Promise<OrasResult> {
  return new Promise((resolve, reject) => {
    execFile(ORAS_BIN, args, { cwd, env: { ...process.env, HOME: cwd } }, (err, stdout, stderr) => {
      if (err && typeof (err as { code?: unknown }).code !== 'number') {
        reject(new Error(`${ORAS_BIN}: ${err.message} (bash scripts/tools.sh oras builds it)`));
        return;
      }
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
