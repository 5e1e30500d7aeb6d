// The webhook as a child process (node dist/src/main.js, as `npm start` and the image run it), for
// tests of what only the process does: watching files, reloading, its start-up output. Tests
// synchronise on its log lines, never on time. Started and read by test/support.
import type { ChildProcess } from 'node:child_process';
import { localClient, type LocalClient } from '../support/https-client';
import { startPalisadeProcess } from '../support/palisade-process';

export interface WebhookProcess {
  proc: ChildProcess;
  port: number;
  /** Everything written so far, stdout and stderr. */
  output(): string;
  /** Resolves when the output holds `text` at least `n` times. */
  logged(text: string, n?: number): Promise<void>;
  /** Resolves with whichever of `texts` the output holds first (already, or when it comes). */
  first(...texts: string[]): Promise<string>;
  /** How many times the output holds `text`. */
  count(text: string): number;
  /** POSTs a body to /validate over a keep-alive agent trusting `ca`. */
  post(body: string, ca: string): Promise<{ status: number; text: string }>;
  stop(): Promise<void>;
}

export async function startWebhookProcess(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<WebhookProcess> {
  const p = await startPalisadeProcess({ args, env, cwd: process.cwd() });
  const clients = new Map<string, LocalClient>();
  const clientFor = (ca: string) => {
    if (!clients.has(ca)) clients.set(ca, localClient(p.port, ca));
    return clients.get(ca)!;
  };
  return {
    proc: p.proc,
    port: p.port,
    output: p.output,
    logged: p.logged,
    first: p.first,
    count: p.count,
    post: async (body, ca) => {
      const { status, text } = await clientFor(ca).post('/validate', body);
      return { status, text };
    },
    // SIGKILL: these tests are not about shutdown (process.test.ts is), and a drain would only
    // make them wait.
    async stop() {
      for (const c of clients.values()) c.close();
      await p.stop('SIGKILL');
    },
  };
}
