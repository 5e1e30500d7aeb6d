// A pino logger whose lines a unit test reads back (parsed), or one that drops everything.
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

export interface CapturedLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A debug-level logger and the lines it has written so far. */
export function captureLogs(): { logger: Logger; lines: CapturedLine[] } {
  const lines: CapturedLine[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as CapturedLine);
        done();
      },
    }),
  );
  return { logger, lines };
}

/** A logger that writes nothing. */
export const silentLogger: Logger = pino({ level: 'silent' });
