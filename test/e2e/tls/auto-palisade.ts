// Palisade processes in tls.mode auto (server.tls.auto) against the local apiserver, started the
// way the chart's pods start them (node dist/src/main.js --config FILE), on ports picked here so
// webhook configurations can name them before the processes exist.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KUBECONFIG, ROOT } from '../../support/cluster';
import { freePort } from '../../support/free-port';
import { writeConfigFile } from '../../support/palisade';
import { startPalisadeProcess } from '../../support/palisade-process';

export { freePort };

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
  const configFile = writeConfigFile(dir, {
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
  });
  const proc = await startPalisadeProcess({ args: ['--config', configFile], noWait: true });
  const exit = proc.exited.then((c) => {
    rmSync(dir, { recursive: true, force: true });
    return c;
  });
  const waitForOutput = (pattern: RegExp, timeoutMs = START_TIMEOUT_MS, since = 0) =>
    proc
      .until(
        () => (pattern.test(proc.output().slice(since)) ? true : undefined),
        `printing ${pattern}`,
        timeoutMs,
      )
      .then(() => undefined);

  const p: AutoPalisade = {
    port,
    output: proc.output,
    waitForOutput,
    exited: () => exit,
    async stop() {
      await proc.stop('SIGTERM');
      await exit;
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
