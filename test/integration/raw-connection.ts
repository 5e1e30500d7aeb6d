// One HTTP/1.1 keep-alive connection over TLS, written by hand, for tests that need what an
// Agent hides: which connection a request goes on, a request left half sent, and whether the
// server closed the connection.
import { connect, type TLSSocket } from 'node:tls';

export interface RawAnswer {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
}

export interface RawConnection {
  /** Writes raw bytes (a request, or part of one). */
  write(text: string): void;
  /** Sends a whole request and resolves with its answer. */
  request(method: string, path: string, body?: string): Promise<RawAnswer>;
  /** The next answer on this connection. */
  answer(): Promise<RawAnswer>;
  /** Resolves when the server has closed the connection. */
  closed: Promise<void>;
  destroy(): void;
}

/**
 * The request's head; `contentLength` lets a test send less body than it announces. With
 * `expectContinue` the server answers `100 Continue` once it has the head: the request is then
 * in flight (answer() resolves with that 100 first).
 */
export function requestHead(
  method: string,
  path: string,
  contentLength: number,
  expectContinue = false,
): string {
  return (
    `${method} ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: keep-alive\r\n` +
    `content-type: application/json\r\ncontent-length: ${contentLength}\r\n` +
    (expectContinue ? 'expect: 100-continue\r\n' : '') +
    '\r\n'
  );
}

export function openConnection(port: number, ca: string): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca }, () => resolve(wrap(socket)));
    socket.once('error', reject);
  });
}

function wrap(socket: TLSSocket): RawConnection {
  let buffered = Buffer.alloc(0);
  let waiting: (() => void) | undefined;
  socket.on('data', (c: Buffer) => {
    buffered = Buffer.concat([buffered, c]);
    waiting?.();
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('close', () => waiting?.());
  // Resolves with one whole answer (head and content-length body) from the buffer.
  const answer = () =>
    new Promise<RawAnswer>((resolve, reject) => {
      const check = () => {
        const parsed = parseAnswer(buffered);
        if (parsed) {
          waiting = undefined;
          buffered = buffered.subarray(parsed.length);
          resolve(parsed.answer);
        } else if (socket.destroyed) {
          waiting = undefined;
          reject(new Error(`connection closed before an answer (${buffered.length} bytes)`));
        }
      };
      waiting = check;
      check();
    });
  return {
    write: (text) => void socket.write(text),
    request(method, path, body = '') {
      socket.write(requestHead(method, path, Buffer.byteLength(body)) + body);
      return answer();
    },
    answer,
    closed,
    destroy: () => socket.destroy(),
  };
}

function parseAnswer(data: Buffer): { answer: RawAnswer; length: number } | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const colon = l.indexOf(':');
    headers[l.slice(0, colon).trim().toLowerCase()] = l.slice(colon + 1).trim();
  }
  const length = end + 4 + Number(headers['content-length'] ?? 0);
  if (data.length < length) return undefined;
  const status = Number(statusLine!.split(' ')[1]);
  return { answer: { status, headers, body: data.subarray(end + 4, length).toString() }, length };
}
