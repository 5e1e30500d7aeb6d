// Shared helpers for e2e tests: the local cluster's kubeconfig and kubectl, run for real.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const KUBECONFIG =
  process.env.KUBECONFIG_E2E ?? join(ROOT, '.tools', 'cluster', 'kubeconfig');

export function requireCluster(): void {
  if (!existsSync(KUBECONFIG)) {
    throw new Error(
      `no local cluster (${KUBECONFIG}); run the e2e tests with npm run test:e2e or npm test`,
    );
  }
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
