// A TCP port free right now on 127.0.0.1, for a server whose port must be known before it starts
// (a webhook configuration naming it, OPA server's --addr).
import { createServer } from 'node:net';

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
