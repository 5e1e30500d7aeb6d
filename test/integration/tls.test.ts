// TLS: 1.2 is the floor, and a replaced certificate serves new connections without a restart.
import { connect, type PeerCertificate } from 'node:tls';
import { replaceCertificate } from '../../src/server/build-server';
import { selfSigned } from '../../src/certs/serving-cert';
import { startHarness, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

function handshake(opts: {
  ca: string;
  maxVersion?: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  minVersion?: 'TLSv1';
}) {
  return new Promise<{ protocol: string | null; cert: PeerCertificate }>((resolve, reject) => {
    const socket = connect(
      { host: '127.0.0.1', port: h.port, servername: undefined, ...opts },
      () => {
        const out = { protocol: socket.getProtocol(), cert: socket.getPeerCertificate() };
        socket.end();
        resolve(out);
      },
    );
    socket.on('error', reject);
  });
}

it('negotiates TLS 1.3 and accepts TLS 1.2', async () => {
  expect((await handshake({ ca: h.tls.ca })).protocol).toBe('TLSv1.3');
  expect((await handshake({ ca: h.tls.ca, maxVersion: 'TLSv1.2' })).protocol).toBe('TLSv1.2');
});

it('refuses TLS 1.1', async () => {
  await expect(
    handshake({ ca: h.tls.ca, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' }),
  ).rejects.toThrow();
});

it('serves a replaced certificate on new connections, without a restart', async () => {
  const before = (await handshake({ ca: h.tls.ca })).cert.fingerprint256;
  const next = selfSigned(['127.0.0.1']);
  replaceCertificate(h.app, h.deps, next);
  const after = await handshake({ ca: next.ca });
  expect(after.cert.fingerprint256).not.toBe(before);
  await expect(handshake({ ca: h.tls.ca })).rejects.toThrow(
    /self-signed|unable to verify|certificate/,
  );
  const metrics = await h.deps.metrics.registry.metrics();
  expect(metrics).toContain(
    `palisade_tls_certificate_expiry_timestamp_seconds ${next.expiresAt.getTime() / 1000}`,
  );
});

it('keeps idle connections open as long as configured (the apiserver reuses them)', () => {
  expect(h.app.server.keepAliveTimeout).toBe(120_000);
});
