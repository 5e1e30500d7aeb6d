// The chart installed, upgraded and uninstalled with the real Helm 3 and Helm 4 against the real
// apiserver, with Palisade run locally (no kubelet here) from the chart's own config and with
// exactly the chart's RBAC (a client certificate for its ServiceAccount's user name). Upgrades
// must leave the caBundle and the certificates alone and never fail a call meanwhile; uninstall
// must remove what the chart made, and Palisade must not be able to bring its Secret back.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { parse } from 'yaml';
import { certInfo, splitPem } from '../../src/certs/pem';
import { kubectl, requireCluster, ROOT } from '../support/cluster';
import { CHART, helm, helmOk, setJson, type Helm } from './chart/helm';
import { serviceAccountKubeconfig } from './chart/service-account-kubeconfig';
import { createNamespace, uniqueName } from './namespaces';
import { caBundles, dryRunPod, secretData } from './tls/cluster-objects';
import { freePort, startAutoPalisade, type AutoPalisade } from './tls/auto-palisade';
import { handshake } from './tls/handshake';

const LABEL = 'palisade-e2e-helm';
const fingerprints = (bundle: string) => splitPem(bundle).map((p) => certInfo(p)!.fingerprint);

interface Upgrade {
  helm: Helm;
  flags: string[];
}

describe.each<[string, Helm, Upgrade[]]>([
  [
    'installed with Helm 3; upgraded with Helm 3, Helm 4, Helm 4 server-side',
    'helm',
    [
      { helm: 'helm', flags: [] },
      { helm: 'helm4', flags: [] },
      { helm: 'helm4', flags: ['--server-side=true'] },
    ],
  ],
  [
    'installed with Helm 4 (server-side apply); upgraded with Helm 4',
    'helm4',
    [{ helm: 'helm4', flags: [] }],
  ],
])('%s', (_title, installer, upgrades) => {
  const release = uniqueName('helm');
  const ns = release;
  const fullname = `${release}-palisade`;
  const target = uniqueName('helm-target');
  let ports: number[];
  let replicas: AutoPalisade[] = [];
  let installed = false;
  let installOutput = '';

  const values = (timeoutSeconds: number) => ({
    'webhook.url': `https://127.0.0.1:${ports[0]}/validate`,
    // Only this test's namespace: other e2e files share the apiserver.
    'webhook.namespaceSelectorExpressions': [{ key: LABEL, operator: 'In', values: [release] }],
    'webhook.timeoutSeconds': timeoutSeconds,
    'tls.auto.checkIntervalSeconds': 1,
  });

  beforeAll(async () => {
    requireCluster();
    ports = [await freePort(), await freePort()];
    await createNamespace(target, { [LABEL]: release });
    installOutput = await helmOk(installer, [
      'install',
      release,
      CHART,
      '-n',
      ns,
      '--create-namespace',
      ...setJson(values(5)),
    ]);
    installed = true;
    const cm = JSON.parse(
      (await kubectl(['-n', ns, 'get', 'configmap', fullname, '-o', 'json'])).stdout,
    );
    const config = parse(cm.data['config.yaml']);
    const kubeconfig = serviceAccountKubeconfig(ns, fullname);
    config.bundle = join(ROOT, 'dist', 'bundle');
    config.server.tls.auto.kubeconfig = kubeconfig;
    // The chart's audit (on by default) reaches the apiserver the same way, with the chart's
    // RBAC; only the target namespace is audited, as the cluster is shared with other tests.
    config.kubernetes = { ...config.kubernetes, kubeconfig };
    config.audit.namespaces = [target];
    replicas = await Promise.all(ports.map((port) => startAutoPalisade(config, { port })));
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    if (installed) await helm(installer, ['uninstall', release, '-n', ns]);
  });

  it('with only the chart RBAC, the replicas fill the chart Secret and inject the caBundle', async () => {
    const secret = (await secretData(ns, `${fullname}-tls`))!;
    expect(secret['tls.crt']).toBeDefined();
    const [bundle] = await caBundles(fullname);
    expect(fingerprints(bundle!)).toEqual(fingerprints(secret['ca.crt']!));
    const denied = await dryRunPod(target, 'privileged', true);
    expect(denied.stderr).toContain('admission webhook "validate.palisade.dev" denied the request');
    const admitted = await dryRunPod(target, 'plain', false);
    expect(admitted.code).toBe(0);
  });

  it('prints NOTES that say how to check the install and how to recover', () => {
    expect(installOutput).toContain(`helm test ${release} -n ${ns}`);
    expect(installOutput).toContain(
      `kubectl patch validatingwebhookconfiguration ${fullname} --type=json`,
    );
    expect(installOutput).toContain(`kubectl delete validatingwebhookconfiguration ${fullname}`);
  });

  it("the helm test's check (files/helm-test.js) passes against a replica, with the Secret's CA", async () => {
    const secret = (await secretData(ns, `${fullname}-tls`))!;
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(CHART, 'files', 'helm-test.js')],
        {
          env: {
            PALISADE_HOST: '127.0.0.1',
            PALISADE_PORT: String(replicas[1]!.port),
            PALISADE_CA: secret['ca.crt'],
          },
        },
        (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
      );
    });
    expect(r.out).toContain(
      `palisade at 127.0.0.1:${replicas[1]!.port} is ready and answered allowed=true`,
    );
    expect(r.code).toBe(0);
  });

  it.each(upgrades.map((u, i) => [`${u.helm} upgrade ${u.flags.join(' ')}`.trim(), u, i] as const))(
    '%s keeps the caBundle and the certificate, and no call fails during it',
    async (_name, upgrade, i) => {
      const secretName = `${fullname}-tls`;
      const before = (await secretData(ns, secretName))!;
      const bundleBefore = (await caBundles(fullname)).map(fingerprints);
      const failures: string[] = [];
      let calls = 0;
      let upgrading = true;
      const watch = (async () => {
        while (upgrading || calls === 0) {
          const call = await dryRunPod(target, 'plain', false);
          calls++;
          if (call.code !== 0) failures.push(`call: ${call.stderr}`);
          const [bundle] = await caBundles(fullname);
          try {
            await handshake(replicas[1]!.port, bundle!);
          } catch (err) {
            failures.push(`replica 1 with the caBundle of the moment: ${(err as Error).message}`);
          }
        }
      })();
      const timeoutSeconds = 6 + i;
      try {
        await helmOk(upgrade.helm, [
          'upgrade',
          release,
          CHART,
          '-n',
          ns,
          ...upgrade.flags,
          ...setJson(values(timeoutSeconds)),
        ]);
      } finally {
        upgrading = false;
        await watch;
      }
      expect(failures).toEqual([]);
      const vwc = JSON.parse(
        (await kubectl(['get', 'validatingwebhookconfiguration', fullname, '-o', 'json'])).stdout,
      );
      expect(vwc.webhooks[0].timeoutSeconds).toBe(timeoutSeconds);
      expect((await caBundles(fullname)).map(fingerprints)).toEqual(bundleBefore);
      const after = (await secretData(ns, secretName))!;
      expect(after['tls.crt']).toBe(before['tls.crt']);
      expect(after['ca-signer.crt']).toBe(before['ca-signer.crt']);
    },
  );

  it('helm uninstall removes what the chart made, and Palisade cannot recreate its Secret', async () => {
    const last = upgrades.at(-1)!.helm;
    const marks = replicas.map((r) => r.output().length);
    await helmOk(last, ['uninstall', release, '-n', ns]);
    installed = false;
    const left = await kubectl([
      '-n',
      ns,
      'get',
      'deployment,replicaset,service,configmap,secret,serviceaccount,role,rolebinding,poddisruptionbudget',
      '-l',
      `app.kubernetes.io/instance=${release}`,
      '-o',
      'name',
    ]);
    expect(left.stdout).toBe('');
    for (const kind of ['validatingwebhookconfiguration', 'clusterrole', 'clusterrolebinding']) {
      const r = await kubectl(['get', kind, fullname]);
      expect(r.stderr).toContain('NotFound');
    }
    // Both replicas have since tried again (and failed: the Secret and their rights are gone).
    await Promise.all(
      replicas.map((r, i) => r.waitForOutput(/automatic TLS check failed/, 30_000, marks[i])),
    );
    expect(await secretData(ns, `${fullname}-tls`)).toBeUndefined();
    // What stays: the namespace (Helm never deletes namespaces).
    expect((await kubectl(['get', 'namespace', ns])).code).toBe(0);
  });
});
