// A ValidatingWebhookConfiguration pointing the local apiserver at a Palisade running on this
// machine (clientConfig.url; there are no Service endpoints here), and the wait until the
// apiserver actually uses it: it loads webhook configurations through an informer, so a new or
// changed one applies a moment after the create returns.
//
// Other e2e files run in parallel against the same apiserver: scope every webhook with a
// namespaceSelector that only your own namespaces match, or it will judge their requests too.
import { kubectl } from '../support/cluster';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export interface WebhookSpec {
  /** metadata.name of the ValidatingWebhookConfiguration. */
  configName: string;
  /** The webhook's name, as kubectl shows it: admission webhook "<name>" denied the request. */
  webhookName: string;
  /** https://127.0.0.1:PORT/validate */
  url: string;
  caPem: string;
  failurePolicy: 'Fail' | 'Ignore';
  namespaceSelector: LabelSelector;
  /** Default CREATE and UPDATE. */
  operations?: Operation[];
  /** Default 5: a stopped Palisade costs one refused connection, a hung one five seconds. */
  timeoutSeconds?: number;
}

/** Pods and the apps/* workloads, the kinds Palisade's pod policies cover. */
export function webhookConfiguration(spec: WebhookSpec): Record<string, unknown> {
  const operations = spec.operations ?? ['CREATE', 'UPDATE'];
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: spec.configName },
    webhooks: [
      {
        name: spec.webhookName,
        clientConfig: {
          url: spec.url,
          caBundle: Buffer.from(spec.caPem).toString('base64'),
        },
        rules: [
          { apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] },
          {
            apiGroups: ['apps'],
            apiVersions: ['*'],
            resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'],
          },
        ].map((r) => ({ ...r, operations, scope: 'Namespaced' })),
        namespaceSelector: spec.namespaceSelector,
        failurePolicy: spec.failurePolicy,
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        timeoutSeconds: spec.timeoutSeconds ?? 5,
      },
    ],
  };
}

/** Creates or updates the configuration (kubectl apply). */
export async function applyWebhook(spec: WebhookSpec): Promise<void> {
  const r = await kubectl(['apply', '-f', '-'], JSON.stringify(webhookConfiguration(spec)));
  if (r.code !== 0) throw new Error(`applying webhook ${spec.configName}: ${r.stderr}`);
}

export async function deleteWebhook(configName: string): Promise<void> {
  await kubectl(['delete', 'validatingwebhookconfiguration', configName, '--ignore-not-found']);
}

/** A Pod every Palisade configuration denies (disallow-privileged is deny by default). */
export function privilegedProbe(name = 'palisade-probe'): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      containers: [
        { name: 'app', image: 'registry.k8s.io/pause:3.10', securityContext: { privileged: true } },
      ],
    },
  };
}

/**
 * Waits until the apiserver sends requests in `namespace` to `webhookName`: polls a dry-run
 * create of a privileged Pod until that webhook denies it. Needs the webhook's Palisade running.
 */
export async function waitForWebhook(
  namespace: string,
  webhookName: string,
  timeoutMs = 30_000,
): Promise<void> {
  const expected = `admission webhook "${webhookName}" denied the request`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await kubectl(
      ['create', '--dry-run=server', '-n', namespace, '-f', '-'],
      JSON.stringify(privilegedProbe()),
    );
    if (r.code !== 0 && r.stderr.includes(expected)) return;
    if (Date.now() > deadline) {
      const last = r.stderr || r.stdout;
      throw new Error(`webhook ${webhookName} not in effect after ${timeoutMs} ms: ${last}`);
    }
    // Polling interval of a condition wait (the informer delay is under a second).
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
