// What the audit's e2e tests share on the real cluster: the OpenReports CRDs installed from the
// chart's copies, a Deployment builder, kubectl apply into a namespace, the Reports of a
// namespace, and a bounded poll.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { kubectl, ROOT } from '../support/cluster';

const CRDS = join(ROOT, 'charts', 'palisade', 'files', 'crds');

/** Applies the chart's OpenReports CRDs (server-side) and waits until they are served. */
export async function installReportCrds(): Promise<void> {
  for (const f of readdirSync(CRDS)) {
    const r = await kubectl(['apply', '--server-side', '-f', join(CRDS, f)]);
    if (r.code !== 0) throw new Error(`CRD ${f}: ${r.stderr}`);
  }
  const wait = await kubectl([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd/reports.openreports.io',
    'crd/clusterreports.openreports.io',
  ]);
  if (wait.code !== 0) throw new Error(wait.stderr);
}

export async function applyIn(ns: string, obj: object): Promise<void> {
  const r = await kubectl(['apply', '-n', ns, '-f', '-'], JSON.stringify(obj));
  if (r.code !== 0) throw new Error(`kubectl apply: ${r.stderr}`);
}

/** The openreports.io Reports of a namespace, by name. */
export async function reportsIn<R extends { metadata: { name: string } }>(
  ns: string,
): Promise<R[]> {
  const r = await kubectl(['get', 'reports.openreports.io', '-n', ns, '-o', 'json']);
  if (r.code !== 0) throw new Error(r.stderr);
  return (JSON.parse(r.stdout) as { items: R[] }).items.sort((a, b) =>
    a.metadata.name.localeCompare(b.metadata.name),
  );
}

/** Polls `check` until it passes (bounded: 30 s); the last failure if it never does. */
export async function eventually<T>(check: () => Promise<T>): Promise<T> {
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const probe = { httpGet: { path: '/healthz', port: 8080 } };
/**
 * A Deployment of one container (registry.example.com/app:1.0 with liveness and readiness
 * probes unless told otherwise), for objects that pass or break the policies under test.
 */
export function deployment(
  name: string,
  o: { privileged?: boolean; image?: string; hostNetwork?: boolean; probes?: boolean } = {},
) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          ...(o.hostNetwork ? { hostNetwork: true } : {}),
          containers: [
            {
              name: 'app',
              image: o.image ?? 'registry.example.com/app:1.0',
              ...(o.probes === false ? {} : { livenessProbe: probe, readinessProbe: probe }),
              ...(o.privileged ? { securityContext: { privileged: true } } : {}),
            },
          ],
        },
      },
    },
  };
}
