// The cluster objects tls.mode auto works on, read and written with kubectl for the tests.
import { kubectl } from '../../support/cluster';

async function ok(args: string[], stdin?: string): Promise<string> {
  const r = await kubectl(args, stdin);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The Secret's data, decoded; undefined when it does not exist. */
export async function secretData(
  namespace: string,
  name: string,
): Promise<Record<string, string> | undefined> {
  const r = await kubectl(['-n', namespace, 'get', 'secret', name, '-o', 'json']);
  if (r.code !== 0) {
    if (r.stderr.includes('NotFound')) return undefined;
    throw new Error(r.stderr);
  }
  const data = (JSON.parse(r.stdout).data ?? {}) as Record<string, string>;
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
}

export async function writeSecretData(
  namespace: string,
  name: string,
  data: Record<string, string>,
): Promise<void> {
  const secret = JSON.parse(await ok(['-n', namespace, 'get', 'secret', name, '-o', 'json']));
  secret.data = Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  );
  await ok(['replace', '-f', '-'], JSON.stringify(secret));
}

/** The caBundle of each webhook of the configuration, decoded (empty string when unset). */
export async function caBundles(configName: string): Promise<string[]> {
  const vwc = JSON.parse(
    await ok(['get', 'validatingwebhookconfiguration', configName, '-o', 'json']),
  );
  return (vwc.webhooks as Array<{ clientConfig: { caBundle?: string } }>).map((w) =>
    Buffer.from(w.clientConfig.caBundle ?? '', 'base64').toString('utf8'),
  );
}

/**
 * A ValidatingWebhookConfiguration with one webhook per port (https://127.0.0.1:PORT/validate),
 * no caBundle (Palisade injects it), failurePolicy Fail, Pods on CREATE, and only namespaces
 * labelled `selector` (other e2e files share the apiserver).
 */
export async function createWebhookConfiguration(
  name: string,
  ports: number[],
  selector: Record<string, string>,
): Promise<void> {
  const vwc = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name },
    webhooks: ports.map((port, i) => ({
      name: `r${i}.auto-tls.palisade.dev`,
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
      failurePolicy: 'Fail',
      timeoutSeconds: 10,
      clientConfig: { url: `https://127.0.0.1:${port}/validate` },
      namespaceSelector: { matchLabels: selector },
      rules: [
        {
          apiGroups: [''],
          apiVersions: ['v1'],
          resources: ['pods'],
          operations: ['CREATE'],
        },
      ],
    })),
  };
  await ok(['create', '-f', '-'], JSON.stringify(vwc));
}

export async function deleteWebhookConfiguration(name: string): Promise<void> {
  await kubectl(['delete', 'validatingwebhookconfiguration', name, '--ignore-not-found']);
}

/** `kubectl create --dry-run=server` of a Pod; privileged or not. */
export function dryRunPod(namespace: string, name: string, privileged: boolean) {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'registry.example.com/app:1.0.0',
          securityContext: privileged ? { privileged: true } : { allowPrivilegeEscalation: false },
          resources: {
            requests: { cpu: '10m', memory: '16Mi' },
            limits: { cpu: '100m', memory: '64Mi' },
          },
        },
      ],
    },
  };
  return kubectl(['-n', namespace, 'create', '--dry-run=server', '-f', '-'], JSON.stringify(pod));
}
