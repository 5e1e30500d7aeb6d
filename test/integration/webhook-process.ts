// The webhook as a child process (node dist/src/main.js, as `npm start` and the image run it), for
// tests of what only the process does: watching files, reloading, its start-up output. Tests
// synchronise on its log lines, never on time.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request, Agent } from 'node:https';
import { join } from 'node:path';

const MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');

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
  const proc = spawn(process.execPath, [MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const count = (text: string) => out.split(text).length - 1;
  /** Re-checks `found` on every chunk of output until it returns something. */
  const until = <T>(found: () => T | undefined, what: string) =>
    new Promise<T>((resolve, reject) => {
      const onExit = () => reject(new Error(`exited before ${what}:\n${out}`));
      const check = () => {
        const value = found();
        if (value === undefined) return;
        proc.stdout!.off('data', check);
        proc.stderr!.off('data', check);
        proc.off('exit', onExit);
        resolve(value);
      };
      proc.stdout!.on('data', check);
      proc.stderr!.on('data', check);
      proc.once('exit', onExit);
      check();
    });
  const logged = (text: string, n = 1) =>
    until(() => (count(text) >= n ? true : undefined), `"${text}" ×${n}`).then(() => undefined);
  const first = (...texts: string[]) => {
    const at = (t: string) => (out.includes(t) ? out.indexOf(t) : Infinity);
    return until(() => {
      const seen = texts.filter((t) => out.includes(t)).sort((a, b) => at(a) - at(b));
      return seen[0];
    }, texts.join(' or '));
  };
  await logged('"msg":"palisade listening"');
  const port = Number(/"url":"https:\/\/[^"]*:(\d+)"/.exec(out)![1]);
  const agents = new Map<string, Agent>();
  const agentFor = (ca: string) => {
    if (!agents.has(ca)) agents.set(ca, new Agent({ keepAlive: true, maxSockets: 64, ca }));
    return agents.get(ca)!;
  };
  return {
    proc,
    port,
    output: () => out,
    logged,
    first,
    count,
    post: (body, ca) =>
      new Promise((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            path: '/validate',
            method: 'POST',
            agent: agentFor(ca),
            headers: { 'content-type': 'application/json' },
          },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on('error', reject);
        req.end(body);
      }),
    // SIGKILL: these tests are not about shutdown (process.test.ts is), and a drain would only
    // make them wait.
    async stop() {
      for (const a of agents.values()) a.destroy();
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = once(proc, 'exit');
      proc.kill('SIGKILL');
      await exited;
    },
  };
}
