// The cluster's ValidatingWebhookConfigurations, names and labels only: how the Gatekeeper mode
// tells that Gatekeeper's own webhook is installed (src/gatekeeper/controller/conflict.ts).
// Needs list of validatingwebhookconfigurations (cluster-scoped; they hold no secret data).
import { loadKubeConfig, withTimeout } from './client';

export interface WebhookConfigurationSummary {
  name: string;
  labels: Record<string, string>;
  /** The names of its webhooks (e.g. validation.gatekeeper.sh). */
  webhooks: string[];
}

export async function listValidatingWebhookConfigurations(
  kubeconfig?: string,
): Promise<WebhookConfigurationSummary[]> {
  const { k8s, kc } = await loadKubeConfig(kubeconfig);
  const api = kc.makeApiClient(k8s.AdmissionregistrationV1Api);
  const list = await withTimeout(
    'list validatingwebhookconfigurations',
    api.listValidatingWebhookConfiguration(),
  );
  return list.items.map((v) => ({
    name: v.metadata?.name ?? '',
    labels: v.metadata?.labels ?? {},
    webhooks: (v.webhooks ?? []).map((w) => w.name),
  }));
}
