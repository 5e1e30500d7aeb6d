// Palisade as a child process (node dist/src/main.js, as `npm start` and the image run it),
// started and waited for until its `palisade listening` log line, which gives the URL it serves.
// Tests synchronise on its output, never on time. One implementation for test/ and bench/.
import { spawn, type ChildProcess } from 'node:child_process';
import { MAIN, ROOT } from './root';

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

/** Palisade's `palisade listening` line (every TLS mode), with the URL it serves. */
export const LISTENING = /"url":"(https:\/\/[^"]*:(\d+))"[^\n]*"msg":"palisade listening"/;

/** One JSON log line of Palisade (pino). */
export interface LogLine {
  msg: string;
  [key: string]: unknown;
}

export interface ProcessOptions {
  /** Arguments after main.js, e.g. ['--config', file, '--port', '0']. */
  args: string[];
  /** The entry script; default dist/src/main.js. */
  main?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
  /** Wraps the command (e.g. in a memory cgroup: bench/memory-cgroup.ts). */
  inside?: { command(args: string[]): { file: string; args: string[] } };
  /**
   * false: stop reading the output once Palisade listens (the bench: collecting a decision log
   * for a whole run would cost the load generator CPU and memory). Default true.
   */
  keepOutput?: boolean;
  /** Resolve as soon as the process runs, without waiting for it to listen. */
  noWait?: boolean;
}

export interface PalisadeProcess {
  proc: ChildProcess;
  /** 0 until it listens (only with noWait). */
  port: number;
  /** https://HOST:PORT, as it logged it. */
  url: string;
  /** Everything written so far, stdout and stderr (with keepOutput). */
  output(): string;
  /** The JSON lines of stdout so far. */
  logLines(): LogLine[];
  /** How many times the output holds `text`. */
  count(text: string): number;
  /**
   * Re-checks `found` on every chunk of output until it returns something; rejects when the
   * process exits first or `timeoutMs` passes (default: never, the test's own timeout bounds it).
   */
  until<T>(found: () => T | undefined, what: string, timeoutMs?: number): Promise<T>;
  /** Resolves when the output holds `text` at least `n` times. */
  logged(text: string, n?: number): Promise<void>;
  /** Resolves with whichever of `texts` the output holds first (already, or when it comes). */
  first(...texts: string[]): Promise<string>;
  /** The exit code, once it exited (undefined while it runs). */
  exitCode(): number | null | undefined;
  /** Resolves with the exit code when it exits by itself or is stopped. */
  exited: Promise<number | null>;
  /** Sends `signal` (SIGKILL past the bound) and waits for the exit; resolves with the code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startPalisadeProcess(opts: ProcessOptions): Promise<PalisadeProcess> {
  const args = [opts.main ?? MAIN, ...opts.args];
  const cmd = opts.inside ? opts.inside.command(args) : { file: process.execPath, args };
  const proc = spawn(cmd.file, cmd.args, {
    cwd: opts.cwd ?? ROOT,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(opts.uid === undefined ? {} : { uid: opts.uid }),
    ...(opts.gid === undefined ? {} : { gid: opts.gid }),
  });
  // A test run that dies must not leave a webhook server behind.
  const killOnExit = () => proc.kill('SIGKILL');
  process.once('exit', killOnExit);
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (c) => {
      code = c;
      process.off('exit', killOnExit);
      resolve(c);
    }),
  );

  let out = '';
  let partial = '';
  const lines: LogLine[] = [];
  const onStdout = (c: Buffer) => {
    out += c.toString();
    // Parsed as whole lines arrive; a chunk can end inside a line.
    const text = partial + c.toString();
    const cut = text.lastIndexOf('\n') + 1;
    partial = text.slice(cut);
    for (const l of text.slice(0, cut).split('\n')) {
      if (l.startsWith('{')) lines.push(JSON.parse(l) as LogLine);
    }
  };
  const onStderr = (c: Buffer) => (out += c.toString());
  proc.stdout!.on('data', onStdout);
  proc.stderr!.on('data', onStderr);

  const count = (text: string) => out.split(text).length - 1;
  const until = <T>(found: () => T | undefined, what: string, timeoutMs?: number) =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = found();
        if (value === undefined) return;
        cleanup();
        resolve(value);
      };
      const fail = (why: string) => {
        cleanup();
        reject(new Error(`${why} before ${what}; Palisade's output:\n${out}`));
      };
      const onExit = () => fail(`Palisade exited (${code})`);
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => fail(`${timeoutMs} ms passed`), timeoutMs);
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        proc.stdout!.off('data', check);
        proc.stderr!.off('data', check);
        proc.off('exit', onExit);
      };
      // After the collectors (registered first), so `out` already holds the chunk.
      proc.stdout!.on('data', check);
      proc.stderr!.on('data', check);
      if (code !== undefined) onExit();
      else proc.once('exit', onExit);
      check();
    });
  const p: PalisadeProcess = {
    proc,
    port: 0,
    url: '',
    output: () => out,
    logLines: () => [...lines],
    count,
    until,
    logged: (text, n = 1) =>
      until(() => (count(text) >= n ? true : undefined), `"${text}" ×${n}`).then(() => undefined),
    first: (...texts) => {
      const at = (t: string) => (out.includes(t) ? out.indexOf(t) : Infinity);
      return until(() => {
        const seen = texts.filter((t) => out.includes(t)).sort((a, b) => at(a) - at(b));
        return seen[0];
      }, texts.join(' or '));
    },
    exitCode: () => code,
    exited,
    async stop(signal = 'SIGTERM') {
      if (code === undefined) {
        proc.kill(signal);
        const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      return code ?? null;
    },
  };
  if (opts.noWait) return p;
  try {
    const m = await until(() => LISTENING.exec(out) ?? undefined, 'it listened', START_TIMEOUT_MS);
    p.url = m[1]!;
    p.port = Number(m[2]);
  } catch (err) {
    proc.kill('SIGKILL');
    throw err;
  }
  if (opts.keepOutput === false) {
    proc.stdout!.off('data', onStdout);
    proc.stderr!.off('data', onStderr);
    out = '';
  }
  return p;
}
