// The CustomResourceDefinitions the chart's optional objects need (cert-manager's Certificate
// and Issuer, Prometheus Operator's ServiceMonitor), taken from their projects' Go modules at
// pinned versions through the Go module proxy, and installed in the local cluster so the
// apiserver validates those objects against their real schemas.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { kubectl } from '../../support/cluster';

const CRDS = [
  {
    module: 'github.com/cert-manager/cert-manager@v1.21.2',
    files: [
      'deploy/crds/cert-manager.io_certificates.yaml',
      'deploy/crds/cert-manager.io_issuers.yaml',
    ],
    names: ['certificates.cert-manager.io', 'issuers.cert-manager.io'],
  },
  {
    module: 'github.com/prometheus-operator/prometheus-operator@v0.85.0',
    files: ['example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml'],
    names: ['servicemonitors.monitoring.coreos.com'],
  },
];

function moduleDir(module: string): string {
  const out = execFileSync('go', ['mod', 'download', '-json', module], { encoding: 'utf8' });
  return (JSON.parse(out) as { Dir: string }).Dir;
}

/** Installs (or keeps) the CRDs and waits until the apiserver serves them. */
export async function installCrds(): Promise<void> {
  for (const c of CRDS) {
    const dir = moduleDir(c.module);
    for (const f of c.files) {
      const r = await kubectl(['apply', '--server-side', '--force-conflicts', '-f', join(dir, f)]);
      if (r.code !== 0) throw new Error(`installing ${f} from ${c.module}: ${r.stderr}`);
    }
    const names = c.names.map((n) => `crd/${n}`);
    const r = await kubectl(['wait', '--for=condition=Established', '--timeout=60s', ...names]);
    if (r.code !== 0) throw new Error(`waiting for ${names.join(', ')}: ${r.stderr}`);
  }
}
