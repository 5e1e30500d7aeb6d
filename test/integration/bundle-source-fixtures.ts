// What the bundle-source tests share: two bundles that decide differently (A denies privileged
// containers, B denies the latest tag; every other policy off), signing keys made by node:crypto,
// archives signed, unsigned or tampered, and a real HTTPS server (node:https, a certificate from
// test/support) serving the archive with an ETag, answering If-None-Match with 304.
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdmissionReviewRequest } from '../../src/admission/types';
import { bundleArchive } from '../../src/policy/artifact';
import { readTarGz, writeTarGz } from '../../src/policy/artifact/tar';
import { ROOT } from '../support/root';
import { writeServingCert, type ServingFiles } from '../support/serving-cert';

export const BUILT = join(ROOT, 'dist', 'bundle');

export function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `palisade-${name}-`));
}

/** A copy of the built bundle where only `deny` denies (every other policy off). */
export function bundleVariant(dir: string, deny: string): string {
  cpSync(BUILT, dir, { recursive: true });
  const file = join(dir, 'palisade.json');
  const doc = JSON.parse(readFileSync(file, 'utf8')) as {
    policies: { id: string; action: string }[];
  };
  for (const p of doc.policies) p.action = p.id === deny ? 'deny' : 'off';
  writeFileSync(file, JSON.stringify(doc));
  return dir;
}

export interface SigningKey {
  keyId: string;
  privatePem: string;
  publicFile: string;
  algorithm: 'ES256' | 'RS256';
}

/** A new key pair; its public half written to `dir`/<keyId>.pem. */
export function signingKey(
  dir: string,
  keyId: string,
  algorithm: 'ES256' | 'RS256' = 'ES256',
): SigningKey {
  const pair =
    algorithm === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicFile = join(dir, `${keyId}.pem`);
  writeFileSync(publicFile, pair.publicKey.export({ type: 'spki', format: 'pem' }));
  const privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  return { keyId, privatePem, publicFile, algorithm };
}

/** The archive of `dir` with this revision, signed by `key` (unsigned without one). */
export async function archiveOf(dir: string, revision: string, key?: SigningKey): Promise<Buffer> {
  const signing = key && { key: key.privatePem, algorithm: key.algorithm, keyId: key.keyId };
  return (await bundleArchive(dir, { revision, signing })).bytes;
}

/** `archive` with one byte of its data.json changed after signing (the signature kept). */
export function tampered(archive: Buffer): Buffer {
  const files = readTarGz(archive, 'test');
  const data = files.get('data.json') ?? Buffer.from('{}');
  const changed = Buffer.from(JSON.stringify({ ...JSON.parse(data.toString() || '{}'), x: 1 }));
  files.set('data.json', changed);
  return writeTarGz([...files].map(([name, d]) => ({ name, data: d })));
}

/** The privileged pod with a latest image: A denies it by disallow-privileged, B by latest. */
export function privilegedLatestPod(): AdmissionReviewRequest {
  return JSON.parse(
    readFileSync(join(ROOT, 'examples', 'reviews', 'privileged-pod.json'), 'utf8'),
  ) as AdmissionReviewRequest;
}

export interface ServedRequest {
  ifNoneMatch?: string;
  authorization?: string;
  status: number;
  bytes: number;
}

/** A real HTTPS server of one bundle archive at /bundle.tar.gz (/moved redirects there,
 * /insecure to plain http). */
export class BundleServer {
  body: Buffer | undefined;
  /** When set, requests without `Authorization: Bearer <token>` get a 401. */
  token: string | undefined;
  /** Answer 503 to everything (the source is down). */
  down = false;
  /** Send an ETag (and honour If-None-Match). */
  etags = true;
  readonly requests: ServedRequest[] = [];
  private version = 0;

  private constructor(
    readonly server: Server,
    readonly cert: ServingFiles,
    readonly url: string,
  ) {}

  static async start(dir: string): Promise<BundleServer> {
    const cert = writeServingCert(dir, 'bundle-server');
    const server = createServer({
      cert: readFileSync(cert.certFile),
      key: readFileSync(cert.keyFile),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const s = new BundleServer(server, cert, `https://127.0.0.1:${port}/bundle.tar.gz`);
    server.on('request', (req, res) => {
      const answer = (status: number, body?: Buffer, headers: Record<string, string> = {}) => {
        s.requests.push({
          ifNoneMatch: req.headers['if-none-match'],
          authorization: req.headers.authorization,
          status,
          bytes: body?.length ?? 0,
        });
        res.writeHead(status, headers);
        res.end(body);
      };
      if (s.down) return answer(503);
      if (req.url === '/moved') return answer(302, undefined, { location: '/bundle.tar.gz' });
      if (req.url === '/insecure') {
        return answer(302, undefined, { location: 'http://127.0.0.1:9/bundle.tar.gz' });
      }
      if (req.url !== '/bundle.tar.gz' || !s.body) return answer(404);
      if (s.token && req.headers.authorization !== `Bearer ${s.token}`) return answer(401);
      const etag = `"v${s.version}"`;
      if (s.etags && req.headers['if-none-match'] === etag) return answer(304);
      return answer(200, s.body, {
        'content-type': 'application/gzip',
        ...(s.etags ? { etag } : {}),
      });
    });
    return s;
  }

  /** Serves `body` from now on, under a new ETag. */
  publish(body: Buffer): void {
    this.body = body;
    this.version++;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
