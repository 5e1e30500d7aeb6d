// What a command may touch of the process: its streams and environment. (Relative paths are
// relative to the process's working directory.)
// Commands take this instead of reaching for `process`, so tests can run them in-process.

export interface OutStream {
  write(chunk: string): unknown;
  /** True when the stream is a terminal (colour and the progress bar depend on it). */
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
  };
}

/** Colour on a stream: only a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function colorEnabled(stream: OutStream, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

/** Reads a whole stream as UTF-8 text. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
