// Waits for a server process to print the port it listens on. Once the port is known, the
// listeners are removed: the decision log keeps flowing, and collecting it in a growing string
// scanned on every chunk would cost the load generator CPU and memory for the whole run.
import type { ChildProcess } from 'node:child_process';

/** Palisade's `palisade listening` log line (every TLS mode), with the port it listens on. */
export const PALISADE_PORT = /"url":"https:\/\/[^"]*:(\d+)"[^\n]*"msg":"palisade listening"/;

export function listenPort(proc: ChildProcess, name: string, pattern: RegExp): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onExit = (code: number | null) =>
      reject(new Error(`${name} exited with ${code}: ${seen}`));
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const m = pattern.exec(seen);
      if (!m) return;
      proc.stdout!.off('data', onData);
      proc.stderr!.off('data', onData);
      proc.off('exit', onExit);
      resolve(Number(m[1]));
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', onExit);
  });
}
