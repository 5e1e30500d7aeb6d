// Waits for a server process of the bench (the null webhook) to print the port it listens on.
// Once the port is known, the listeners are removed: collecting the output in a growing string
// scanned on every chunk would cost the load generator CPU and memory for the whole run.
// Palisade is started and waited for by test/support/palisade-process.ts.
import type { ChildProcess } from 'node:child_process';

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
