// The chart's ClusterRoles for a set of values, rendered by the pinned helm and created on the
// real apiserver (the e2e tests that run Palisade with exactly the RBAC the chart grants, as its
// ServiceAccount), and the webhook pointed at that Palisade for one run's namespaces.
import { parseManifests } from '../../chart/render';
import { kubectl } from '../../support/cluster';
import type { Palisade } from '../../support/palisade';
import { createNamespace } from '../namespaces';
import { applyWebhook, waitForWebhook } from '../webhook-configuration';
import { CHART, helmOk, setJson } from './helm';

/** A List of the ClusterRoles and bindings `keep` selects, created; `json` for deleting them. */
export async function createChartClusterRoles(
  release: string,
  namespace: string,
  values: Record<string, unknown>,
  keep: (o: { kind: string; metadata: { name: string } }) => boolean = () => true,
): Promise<string> {
  const rendered = await helmOk('helm', [
    'template',
    release,
    CHART,
    '-n',
    namespace,
    ...setJson(values),
  ]);
  const json = JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: parseManifests(rendered).filter((o) => o.kind.startsWith('ClusterRole') && keep(o)),
  });
  const applied = await kubectl(['create', '-f', '-'], json);
  if (applied.code !== 0) throw new Error(`creating the chart's RBAC: ${applied.stderr}`);
  return json;
}

/** Sends the namespaces labelled `watched` to `palisade` (fail closed), once it is serving. */
export async function serveWebhook(
  palisade: Palisade,
  run: string,
  webhookName: string,
  watched: Record<string, string>,
): Promise<void> {
  await applyWebhook({
    configName: run,
    webhookName,
    url: palisade.validateUrl,
    caPem: palisade.ca.certPem,
    failurePolicy: 'Fail',
    namespaceSelector: { matchLabels: watched },
  });
  await waitForWebhook(await createNamespace(`${run}-probe`, watched), webhookName);
}
