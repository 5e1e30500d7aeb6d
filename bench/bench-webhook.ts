// Palisade registered with the local apiserver for the bench: a ValidatingWebhookConfiguration
// (clientConfig.url, since the local cluster has no Service endpoints; failurePolicy Fail) scoped
// by a namespace label to the bench's own namespace, and a wait until the apiserver applies it.
import type { KubeApi as Api } from '../test/support/kube-api';

const VWC_PATH = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';

export interface BenchWebhook {
  /** metadata.name of the ValidatingWebhookConfiguration. */
  configName: string;
  /** The webhook's name, which the apiserver quotes in a denial. */
  webhook: string;
  /** Namespaces with this label (key, value) are sent to Palisade. */
  namespaceLabel: [string, string];
  /** What to send: group, version and resource of each kind, CREATE only. */
  resources: { group: string; version: string; resource: string }[];
  /** A dry-run create (path and object) that Palisade denies: proves the webhook is in effect. */
  probe: { path: string; object: unknown };
}

export function webhookConfig(w: BenchWebhook, url: string, caPem: string) {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: w.configName },
    webhooks: [
      {
        name: w.webhook,
        clientConfig: { url, caBundle: Buffer.from(caPem).toString('base64') },
        rules: w.resources.map((r) => ({
          apiGroups: [r.group],
          apiVersions: [r.version],
          resources: [r.resource],
          operations: ['CREATE'],
          scope: 'Namespaced',
        })),
        namespaceSelector: { matchLabels: { [w.namespaceLabel[0]]: w.namespaceLabel[1] } },
        failurePolicy: 'Fail',
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        timeoutSeconds: 5,
      },
    ],
  };
}

export async function registerWebhook(
  api: Api,
  w: BenchWebhook,
  url: string,
  caPem: string,
): Promise<void> {
  const r = await api.call('POST', VWC_PATH, webhookConfig(w, url, caPem));
  if (r.status !== 201) throw new Error(`webhook configuration: HTTP ${r.status}: ${r.text}`);
}

/** Deletes the configuration; absent is fine. */
export async function unregisterWebhook(api: Api, w: BenchWebhook): Promise<void> {
  await api.call('DELETE', `${VWC_PATH}/${w.configName}`);
}

/**
 * Polls until the webhook is (or is no longer) in effect: the apiserver applies a new or deleted
 * configuration a moment after the write, so the probe is sent until its answer changes.
 */
export async function waitWebhook(api: Api, w: BenchWebhook, active: boolean): Promise<void> {
  let last = '';
  for (let i = 0; i < 300; i++) {
    const r = await api.call('POST', w.probe.path, w.probe.object);
    const denied = r.status === 403 && r.text.includes(w.webhook);
    if (denied === active) return;
    last = `HTTP ${r.status}: ${r.text.slice(0, 500)}`;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`webhook did not become ${active ? 'active' : 'inactive'}; last probe: ${last}`);
}
