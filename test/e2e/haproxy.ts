// A real TCP load balancer (the distribution's haproxy, `scripts/tools.sh haproxy`) in front of
// local Palisades, standing in for a Service: TLS passes through to Palisade, whose certificate
// is for 127.0.0.1; a health check on GET /readyz over TLS takes a draining server out, as
// readiness takes a pod out of the endpoints; a refused connect is retried on the other server.
// Its stats socket tells a test what haproxy thinks of each server.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port';

export interface Backend {
  name: string;
  port: number;
}

export interface Haproxy {
  port: number;
  /** https://127.0.0.1:PORT/validate, for clientConfig.url. */
  validateUrl: string;
  /** The status haproxy's health checks give `server`: UP, DOWN, "UP 1/2" (going down)… */
  status(server: string): Promise<string>;
  /**
   * Connections haproxy failed to open to `server` (`econ`: refused, its listener closed while
   * haproxy still sent it traffic), plus the retries and redispatches that followed. Through a
   * Service there is no redispatch: each would be the apiserver's `connection refused`.
   */
  connectErrors(server: string): Promise<number>;
  /** Resolves once `server`'s status is exactly `status`. */
  waitForStatus(server: string, status: 'UP' | 'DOWN', timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

// Checks every 200 ms, down after 2 failures, up after 2 successes: a server that turns
// readiness off is out in about half a second, well inside a drain delay of 2 s.
function configText(port: number, socket: string, backends: Backend[]): string {
  return [
    'global',
    `  stats socket ${socket} mode 600 level admin`,
    'defaults',
    '  mode tcp',
    '  timeout connect 2s',
    // Longer than Palisade's keep-alive, so haproxy never closes a kept-alive connection itself.
    '  timeout client 5m',
    '  timeout server 5m',
    '  timeout check 2s',
    // A refused connect (a server that stopped listening) is retried, on the other server.
    '  retries 3',
    '  option redispatch 1',
    'frontend palisade',
    `  bind 127.0.0.1:${port}`,
    '  default_backend palisade',
    'backend palisade',
    // The least busy server gets a new connection: a restarted one, with none, gets the next.
    '  balance leastconn',
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    '  default-server check check-ssl verify none inter 200ms fall 2 rise 2',
    ...backends.map((b) => `  server ${b.name} 127.0.0.1:${b.port}`),
    '',
  ].join('\n');
}

export async function startHaproxy(backends: Backend[]): Promise<Haproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-haproxy-'));
  const socket = join(dir, 'stats.sock');
  const file = join(dir, 'haproxy.cfg');
  const port = await freePort();
  writeFileSync(file, configText(port, socket, backends));
  // -db: foreground, logs to stderr; -W is not needed (no reloads).
  const proc = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const killOnExit = () => proc.kill('SIGKILL');
  process.once('exit', killOnExit);
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const status = async (server: string) => (await serverStats(socket, server)).status!;
  const haproxy: Haproxy = {
    port,
    validateUrl: `https://127.0.0.1:${port}/validate`,
    status,
    async connectErrors(server) {
      const row = await serverStats(socket, server);
      return ['econ', 'wretr', 'wredis'].reduce((sum, c) => sum + Number(row[c] || 0), 0);
    },
    async waitForStatus(server, wanted, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (proc.exitCode !== null) throw new Error(`haproxy exited:\n${out}`);
        const now = await status(server).catch((err: Error) => err.message);
        if (now === wanted) return;
        if (Date.now() > deadline) {
          throw new Error(
            `haproxy server ${server} is "${now}", not ${wanted}, after ${timeoutMs} ms`,
          );
        }
        // Polling interval of a condition wait (a health check runs every 200 ms).
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop() {
      process.off('exit', killOnExit);
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await waitForSocket(proc, socket, () => out);
  return haproxy;
}

/** Waits until the stats socket answers (haproxy has parsed its config and bound its ports). */
async function waitForSocket(proc: ChildProcess, socket: string, out: () => string) {
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`haproxy did not start:\n${out()}`);
    if ((await statsCommand(socket, 'show info').catch(() => '')).includes('Name: HAProxy')) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function statsCommand(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = connect(socket, () => c.end(`${command}\n`));
    let text = '';
    c.on('data', (d: Buffer) => (text += d.toString()));
    c.on('end', () => resolve(text));
    c.on('error', reject);
  });
}

/** The row of `show stat` for one server of the palisade backend, by column name. */
async function serverStats(socket: string, server: string): Promise<Record<string, string>> {
  const csv = await statsCommand(socket, 'show stat');
  const [header, ...rows] = csv.trim().split('\n');
  const columns = header!.replace(/^# /, '').split(',');
  for (const row of rows) {
    const cells = row.split(',');
    const named = Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? '']));
    if (named.pxname === 'palisade' && named.svname === server) return named;
  }
  throw new Error(`no server ${server} in haproxy's stats`);
}
