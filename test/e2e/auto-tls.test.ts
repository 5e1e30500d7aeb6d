// tls.mode auto against the real apiserver: two Palisade processes (replicas) starting at once
// create or adopt one Secret, inject its CA into their webhook configuration, serve the same
// certificate; a CA rotation keeps old and new CA trusted and never fails a call; a missing
// webhook configuration stops the process with a clear error.
import { X509Certificate } from 'node:crypto';
import { fetchMetrics } from '../support/https-client';
import { generateCA, generateServing } from '../../src/certs/generate';
import { certInfo, splitPem } from '../../src/certs/pem';
import { kubectl, requireCluster } from '../support/cluster';
import { createNamespace, uniqueName } from './namespaces';
import { onlyPolicies } from '../support/policy-selection';
import {
  caBundles,
  createWebhookConfiguration,
  deleteWebhookConfiguration,
  dryRunPod,
  secretData,
  writeSecretData,
} from './tls/cluster-objects';
import { freePort, startAutoPalisade, type AutoPalisade } from './tls/auto-palisade';
import { handshake } from './tls/handshake';

const SECRET = 'palisade-tls';
const LABEL = 'palisade-e2e-auto-tls';

const fingerprints = (bundle: string) => splitPem(bundle).map((p) => certInfo(p)!.fingerprint);
const fp = (pem: string) => new X509Certificate(pem).fingerprint256;

interface Setup {
  ns: string;
  replicas: AutoPalisade[];
}

async function setUp(
  prefix: string,
  opts: { emptySecret?: boolean; seed?: (ns: string) => Promise<void>; trustDelay?: number } = {},
): Promise<Setup> {
  requireCluster();
  const ns = uniqueName(prefix);
  await createNamespace(ns, { [LABEL]: ns });
  const ports = [await freePort(), await freePort()];
  await createWebhookConfiguration(ns, ports, { [LABEL]: ns });
  if (opts.emptySecret) {
    const r = await kubectl(['-n', ns, 'create', 'secret', 'generic', SECRET]);
    if (r.code !== 0) throw new Error(r.stderr);
  }
  await opts.seed?.(ns);
  const config = {
    policies: onlyPolicies({ 'disallow-privileged': { action: 'deny' } }),
    server: {
      tls: {
        auto: {
          namespace: ns,
          secretName: SECRET,
          webhookConfigurationName: ns,
          hosts: ['127.0.0.1', 'localhost'],
          checkIntervalSeconds: 1,
          caTrustDelaySeconds: opts.trustDelay ?? 0,
        },
      },
    },
  };
  // Both at once, as a Deployment's replicas start.
  const replicas = await Promise.all(ports.map((port) => startAutoPalisade(config, { port })));
  return { ns, replicas };
}

async function tearDown(s: Setup | undefined): Promise<void> {
  if (!s) return;
  await Promise.all(s.replicas.map((r) => r.stop()));
  await deleteWebhookConfiguration(s.ns);
}

describe.each([
  ['no Secret yet', false],
  ['an empty Secret (as the chart creates it)', true],
])('two replicas starting at once, %s', (_what, emptySecret) => {
  let s: Setup;
  beforeAll(async () => {
    s = await setUp('auto-tls', { emptySecret });
  });
  afterAll(() => tearDown(s));

  it('one of them makes the CA and the certificate; both serve that certificate', async () => {
    const secret = (await secretData(s.ns, SECRET))!;
    expect(Object.keys(secret).sort()).toEqual(
      ['ca-signer.crt', 'ca-signer.key', 'ca.crt', 'tls.crt', 'tls.key'].sort(),
    );
    const makers = s.replicas.filter((r) => r.output().includes('"made a CA"'));
    expect(makers).toHaveLength(1);
    for (const r of s.replicas) {
      const { cert } = await handshake(r.port, secret['ca.crt']!);
      expect(cert.fingerprint256).toBe(fp(secret['tls.crt']!));
    }
  });

  it('injects that CA into every webhook of its configuration', async () => {
    const secret = (await secretData(s.ns, SECRET))!;
    const bundles = await caBundles(s.ns);
    expect(bundles).toHaveLength(2);
    for (const b of bundles) expect(fingerprints(b)).toEqual([fp(secret['ca-signer.crt']!)]);
  });

  it('the apiserver reaches both replicas over TLS: a privileged Pod is denied, a plain one admitted', async () => {
    const denied = await dryRunPod(s.ns, 'privileged', true);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(
      /admission webhook "r[01]\.auto-tls\.palisade\.dev" denied the request/,
    );
    expect(denied.stderr).toContain('[disallow-privileged]');
    const admitted = await dryRunPod(s.ns, 'plain', false);
    expect(admitted.stderr).toBe('');
    expect(admitted.code).toBe(0);
  });

  it('exposes the certificate expiry as a metric', async () => {
    const secret = (await secretData(s.ns, SECRET))!;
    const expiry = new X509Certificate(secret['tls.crt']!).validTo;
    const metrics = await fetchMetrics(s.replicas[0]!.port, secret['ca.crt']!);
    expect(metrics).toContain(
      `palisade_tls_certificate_expiry_timestamp_seconds ${new Date(expiry).getTime() / 1000}`,
    );
  });
});

describe('CA rotation, years after install', () => {
  const YEAR = 365 * 24 * 60 * 60 * 1000;
  // A CA made seven of its ten years ago, as the Secret and the caBundle hold it by then.
  const oldCa = generateCA('palisade-webhook-ca', 3650, new Date(Date.now() - 7 * YEAR));
  const serving = generateServing(oldCa, ['127.0.0.1', 'localhost'], 365);
  let s: Setup;

  beforeAll(async () => {
    s = await setUp('auto-tls-rotate', {
      trustDelay: 10,
      seed: async (ns) => {
        await kubectl(['-n', ns, 'create', 'secret', 'generic', SECRET]);
        await writeSecretData(ns, SECRET, {
          'ca-signer.crt': oldCa.certPem,
          'ca-signer.key': oldCa.keyPem,
          'tls.crt': serving.certPem,
          'tls.key': serving.keyPem,
          'ca.crt': oldCa.certPem,
        });
        const b64 = Buffer.from(oldCa.certPem).toString('base64');
        const patch = [0, 1].map((i) => ({
          op: 'add',
          path: `/webhooks/${i}/clientConfig/caBundle`,
          value: b64,
        }));
        const r = await kubectl([
          'patch',
          'validatingwebhookconfiguration',
          ns,
          '--type=json',
          '-p',
          JSON.stringify(patch),
        ]);
        if (r.code !== 0) throw new Error(r.stderr);
      },
    });
  });
  afterAll(() => tearDown(s));

  it('trusts old and new CA throughout, moves every replica to the new CA, never fails a call', async () => {
    const oldFp = fp(oldCa.certPem);
    const issuers: string[][] = [[], []];
    const failures: string[] = [];
    let calls = 0;
    const deadline = Date.now() + 90_000;
    for (;;) {
      const bundles = await caBundles(s.ns);
      await Promise.all(
        s.replicas.map(async (r, i) => {
          try {
            const { issuer } = await handshake(r.port, bundles[i]!);
            if (issuers[i]!.at(-1) !== issuer) issuers[i]!.push(issuer);
          } catch (err) {
            failures.push(`replica ${i} handshake: ${(err as Error).message}`);
          }
        }),
      );
      const call = await dryRunPod(s.ns, 'plain', false);
      calls++;
      if (call.code !== 0) failures.push(`apiserver call: ${call.stderr}`);
      const moved = issuers.every((seq) => seq.length > 0 && seq.at(-1) !== oldFp);
      if (moved || failures.length >= 10 || Date.now() > deadline) break;
    }
    expect(failures).toEqual([]);
    // Observed before and after: each replica served the old CA's certificate, then the new one's.
    for (const seq of issuers) {
      expect(seq[0]).toBe(oldFp);
      expect(seq).toHaveLength(2);
    }
    expect(calls).toBeGreaterThan(1);

    const secret = (await secretData(s.ns, SECRET))!;
    const newFp = fp(secret['ca-signer.crt']!);
    expect(newFp).not.toBe(oldFp);
    expect(issuers[0]![1]).toBe(newFp);
    expect(secret['ca-next.crt']).toBeUndefined();
    expect(fingerprints(secret['ca.crt']!)).toEqual([oldFp, newFp]);
    for (const b of await caBundles(s.ns)) expect(fingerprints(b)).toEqual([oldFp, newFp]);
  });
});

it('stops with a clear error when its webhook configuration does not exist', async () => {
  requireCluster();
  const ns = uniqueName('auto-tls-missing');
  await createNamespace(ns);
  const p = await startAutoPalisade(
    {
      server: {
        tls: {
          auto: {
            namespace: ns,
            secretName: SECRET,
            webhookConfigurationName: `${ns}-does-not-exist`,
            hosts: ['127.0.0.1'],
          },
        },
      },
    },
    { waitUntilServing: false },
  );
  expect(await p.exited()).toBe(2);
  expect(p.output()).toContain(
    `palisade: automatic TLS (server.tls.auto) failed: secret ${ns}/${SECRET}, validatingwebhookconfiguration ${ns}-does-not-exist: HTTP 404`,
  );
});
