// A kubeconfig that authenticates as a ServiceAccount's user name, with a client certificate
// signed by the local cluster's CA: the apiserver's RBAC matches ServiceAccount subjects by that
// name, so Palisade run locally with it has exactly the permissions the chart grants its pods.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KUBECONFIG, ROOT } from '../../support/cluster';

export function serviceAccountKubeconfig(namespace: string, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-sa-'));
  const pki = join(ROOT, '.tools', 'cluster', 'pki');
  const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: 'pipe' });
  run('openssl', [
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    join(dir, 'sa.key'),
    '-out',
    join(dir, 'sa.csr'),
    '-subj',
    `/CN=system:serviceaccount:${namespace}:${name}`,
  ]);
  run('openssl', [
    'x509',
    '-req',
    '-in',
    join(dir, 'sa.csr'),
    '-CA',
    join(pki, 'ca.crt'),
    '-CAkey',
    join(pki, 'ca.key'),
    '-CAcreateserial',
    '-CAserial',
    join(dir, 'ca.srl'),
    '-days',
    '1',
    '-out',
    join(dir, 'sa.crt'),
  ]);
  // The cluster entry of the admin kubeconfig, with this user instead.
  const admin = readFileSync(KUBECONFIG, 'utf8');
  const server = /server: (\S+)/.exec(admin)![1]!;
  const ca = /certificate-authority-data: (\S+)/.exec(admin)![1]!;
  const b64 = (f: string) => readFileSync(join(dir, f)).toString('base64');
  const file = join(dir, 'kubeconfig');
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'local', cluster: { server, 'certificate-authority-data': ca } }],
      users: [
        {
          name: 'sa',
          user: { 'client-certificate-data': b64('sa.crt'), 'client-key-data': b64('sa.key') },
        },
      ],
      contexts: [{ name: 'sa', context: { cluster: 'local', user: 'sa' } }],
      'current-context': 'sa',
    }),
  );
  return file;
}
