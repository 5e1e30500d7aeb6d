// Palisade's config as the chart renders it with its default values (the pinned helm, `helm
// template`, the ConfigMap's config.yaml): the bench runs the chart-limits case on what a cluster
// runs, workers, deadline, failure mode, exemptions and log level included. Overridden, because
// no cluster is there: the bundle (the bench's own build of the same policies), TLS (the chart's
// auto TLS keeps its certificate in a Secret; here Palisade's self-signed local one), the audit
// (a separate, leader-elected loop that needs a cluster), file watching (a private bundle copy).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

interface ConfigMap {
  kind?: string;
  data?: Record<string, string>;
}

/** The rendered config.yaml of the chart's defaults, with the overrides above. */
export function chartConfig(root: string, bundle: string): Record<string, unknown> {
  const helm = join(root, '.tools', 'bin', 'helm');
  if (!existsSync(helm)) {
    execFileSync('bash', [join(root, 'scripts', 'tools.sh'), 'helm'], { stdio: 'inherit' });
  }
  const text = execFileSync(
    helm,
    ['template', 'palisade', join(root, 'charts', 'palisade'), '-n', 'palisade-system'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const configMap = parseAllDocuments(text)
    .map((d) => d.toJS() as ConfigMap | null)
    .find((o) => o?.kind === 'ConfigMap' && o.data?.['config.yaml'] !== undefined);
  if (!configMap) throw new Error('the rendered chart has no ConfigMap with config.yaml');
  const config = parse(configMap.data!['config.yaml']!) as Record<string, unknown>;
  const server = { ...(config.server as Record<string, unknown>), host: '127.0.0.1', tls: {} };
  const audit = { ...(config.audit as Record<string, unknown>), enabled: false };
  return { ...config, bundle, server, audit, watch: false };
}
