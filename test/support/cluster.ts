// The local cluster of scripts/cluster.sh (etcd + kube-apiserver on loopback) for the e2e tests
// and the benches: its kubeconfig, kubectl run for real against it, and "start it unless it runs,
// stop it afterwards only if we started it".
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './root';

export { ROOT };
export const KUBECONFIG =
  process.env.KUBECONFIG_E2E ?? join(ROOT, '.tools', 'cluster', 'kubeconfig');
const CLUSTER_SH = join(ROOT, 'scripts', 'cluster.sh');

export function requireCluster(): void {
  if (!existsSync(KUBECONFIG)) {
    throw new Error(
      `no local cluster (${KUBECONFIG}); run the e2e tests with npm run test:e2e or npm test`,
    );
  }
}

export interface LocalCluster {
  kubeconfig: string;
  /** Whether this call started it (so release() stops it). */
  started: boolean;
  /** Stops the cluster if this call started it; leaves a cluster it found running. */
  release(): void;
}

/** The local cluster: reused when `cluster.sh status` says it runs, started otherwise. */
export function useLocalCluster(): LocalCluster {
  const running = spawnSync('bash', [CLUSTER_SH, 'status'], { stdio: 'ignore' }).status === 0;
  if (!running)
    execFileSync('bash', [CLUSTER_SH, 'up'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const kubeconfig = join(ROOT, '.tools', 'cluster', 'kubeconfig');
  let released = running;
  return {
    kubeconfig,
    started: !running,
    release() {
      if (released) return;
      released = true;
      execFileSync('bash', [CLUSTER_SH, 'down'], { stdio: ['ignore', 'ignore', 'inherit'] });
    },
  };
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl against the local cluster; never throws on a non-zero exit. */
export function kubectl(args: string[], stdin?: string): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(
      'kubectl',
      ['--kubeconfig', KUBECONFIG, ...args],
      { maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
      },
    );
    if (stdin !== undefined) child.stdin!.end(stdin);
  });
}
