// OPA server as users run it instead of Palisade (behind kube-mgmt): the pinned opa, the same Rego
// (library, policies and Palisade's generated aggregator), TLS with a certificate we make, queried
// at POST /v1/data/palisade/violations with the same input the wasm gets.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../test/support/free-port';
import { httpsCall, type HttpsAnswer } from '../test/support/https-client';
import { writeServingCert } from '../test/support/serving-cert';

export const OPA_PATH = '/v1/data/palisade/violations';

export interface OpaServer {
  proc: ChildProcess;
  port: number;
}

export async function startOpa(
  root: string,
  work: string,
  regoFiles: string[],
): Promise<OpaServer> {
  const { certFile: cert, keyFile: key } = writeServingCert(work, 'opa');
  const port = await freePort();
  const proc = spawn(
    join(root, '.tools', 'bin', 'opa'),
    [
      'run',
      '--server',
      '--addr',
      `127.0.0.1:${port}`,
      '--tls-cert-file',
      cert,
      '--tls-private-key-file',
      key,
      '--log-level',
      'error',
      ...regoFiles,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<never>((_, reject) =>
    proc.once('exit', (code) => reject(new Error(`opa exited with ${code}: ${stderr}`))),
  );
  // Ready when /health answers 200 (the policies are compiled by then).
  for (let i = 0; i < 200; i++) {
    const ok = await Promise.race([
      post(port, '/health', undefined).then(
        (r) => r.status === 200,
        () => false,
      ),
      exited,
    ]);
    if (ok) return { proc, port };
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill('SIGTERM');
  throw new Error(`opa did not become ready: ${stderr}`);
}

/** One HTTPS request to 127.0.0.1 (GET without a body), certificate not verified. */
export function post(port: number, path: string, body: string | undefined): Promise<HttpsAnswer> {
  const method = body === undefined ? 'GET' : 'POST';
  return httpsCall({ host: '127.0.0.1', port, path, method, rejectUnauthorized: false }, body);
}
