// helm (Helm 3) and helm4 (Helm 4), pinned in .tools/bin, run against the local cluster.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { KUBECONFIG, ROOT } from '../../support/cluster';

export const CHART = join(ROOT, 'charts', 'palisade');
export type Helm = 'helm' | 'helm4';

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function helm(which: Helm, args: string[]): Promise<HelmResult> {
  return new Promise((resolve) => {
    execFile(
      join(ROOT, '.tools', 'bin', which),
      [...args, '--kubeconfig', KUBECONFIG],
      {
        maxBuffer: 16 << 20,
        env: {
          ...process.env,
          HELM_CACHE_HOME: join(ROOT, '.tools', 'helm', 'cache'),
          HELM_CONFIG_HOME: join(ROOT, '.tools', 'helm', 'config'),
          HELM_DATA_HOME: join(ROOT, '.tools', 'helm', 'data'),
        },
      },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
      },
    );
  });
}

/** Runs helm and throws with its stderr unless it succeeds. */
export async function helmOk(which: Helm, args: string[]): Promise<string> {
  const r = await helm(which, args);
  if (r.code !== 0) throw new Error(`${which} ${args.join(' ')}:\n${r.stderr}`);
  return r.stdout;
}

/** --set-json flags for a values object (each top-level key). */
export function setJson(values: Record<string, unknown>): string[] {
  return Object.entries(values).flatMap(([k, v]) => ['--set-json', `${k}=${JSON.stringify(v)}`]);
}
