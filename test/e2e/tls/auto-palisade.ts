// Palisade processes in tls.mode auto (server.tls.auto) against the local apiserver, started the
// way the chart's pods start them (node dist/src/main.js --config FILE), on ports picked here so
// webhook configurations can name them before the processes exist.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { KUBECONFIG, ROOT } from '../cluster';

const MAIN = join(ROOT, 'dist', 'src', 'main.js');
const START_TIMEOUT_MS = 60_000;

export interface AutoPalisade {
  port: number;
  output(): string;
  /**
   * Resolves once the output (from offset `since`, default 0: see output().length) matches;
   * rejects if the process exits first or time runs out.
   */
  waitForOutput(pattern: RegExp, timeoutMs?: number, since?: number): Promise<void>;
  /** Resolves with the exit code (the process was expected to exit by itself). */
  exited(): Promise<number | null>;
  stop(): Promise<void>;
}

/** A TCP port free right now on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `node dist/src/main.js` with `config` (server.port and the kubeconfig of the local
 * cluster filled in); resolves once it serves, unless `waitUntilServing` is false.
 */
export async function startAutoPalisade(
  config: Record<string, unknown>,
  opts: { port?: number; waitUntilServing?: boolean } = {},
): Promise<AutoPalisade> {
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'palisade-auto-'));
  const server = (config.server ?? {}) as { tls?: { auto?: Record<string, unknown> } };
  const full = {
    bundle: join(ROOT, 'dist', 'bundle'),
    ...config,
    server: {
      // A stop() has no endpoints to wait for (src/server/drain.ts); a test may set its own.
      drainDelaySeconds: 0,
      ...server,
      port,
      host: '127.0.0.1',
      tls: { auto: { kubeconfig: KUBECONFIG, ...server.tls?.auto } },
    },
  };
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, stringify(full));
  const proc = spawn(process.execPath, [MAIN, '--config', configFile], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killOnExit = () => proc.kill('SIGKILL');
  process.once('exit', killOnExit);
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  let code: number | null | undefined;
  const exit = new Promise<number | null>((resolve) =>
    proc.once('exit', (c) => {
      code = c;
      process.off('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
      resolve(c);
    }),
  );

  const waitForOutput = (pattern: RegExp, timeoutMs = START_TIMEOUT_MS, since = 0) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(out.slice(since))) return;
        cleanup();
        resolve();
      };
      const onExit = () => {
        cleanup();
        reject(new Error(`Palisade exited (${code}) before printing ${pattern}:\n${out}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${pattern} from Palisade in ${timeoutMs} ms:\n${out}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        proc.stdout!.off('data', check);
        proc.stderr!.off('data', check);
        proc.off('exit', onExit);
      };
      proc.stdout!.on('data', check);
      proc.stderr!.on('data', check);
      if (code !== undefined) onExit();
      else proc.once('exit', onExit);
      check();
    });

  const p: AutoPalisade = {
    port,
    output: () => out,
    waitForOutput,
    exited: () => exit,
    async stop() {
      if (code !== undefined) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
      await exit;
      clearTimeout(timer);
    },
  };
  if (opts.waitUntilServing !== false) {
    try {
      await waitForOutput(/"msg":"palisade listening"/);
    } catch (err) {
      await p.stop();
      throw err;
    }
  }
  return p;
}
