// The soak through the real apiserver (BENCH_SOAK_THROUGH=apiserver): Palisade registered as a
// validating webhook (failurePolicy Fail) for a namespace of the bench's own in the local cluster
// (scripts/cluster.sh), and dry-run creates of the bench Deployment (8 containers) sent to the
// apiserver at a fixed rate, alternately one the built-in library allows and the same one with a
// privileged container, which pss-baseline-privileged denies: every answer shows that Palisade
// decided. Anything else is counted as unexpected, by reason: an apiserver error such as
// `failed calling webhook` (Palisade did not answer in time), an allow that should have been a
// denial, a denial from anything but Palisade.
import {
  registerWebhook,
  unregisterWebhook,
  waitWebhook,
  type BenchWebhook,
} from './bench-webhook';
import { deploymentReview } from './inputs';
import { ensureNamespace, kubeApi, type KubeAccess } from '../test/support/kube-api';
import { pacedLoad, type AnswerCheck, type PacedResult } from './paced-load';

const NS = 'palisade-bench-soak';
const DEPLOYMENTS = `/apis/apps/v1/namespaces/${NS}/deployments?dryRun=All`;

function deployments(): { allowed: unknown; denied: unknown } {
  const allowed = deploymentReview().request.object as {
    metadata: Record<string, unknown>;
    spec: { template: { spec: { containers: { securityContext: Record<string, unknown> }[] } } };
  };
  delete allowed.metadata.namespace;
  const denied = structuredClone(allowed);
  // The apiserver refuses privileged with allowPrivilegeEscalation false as invalid.
  const sc = denied.spec.template.spec.containers[0]!.securityContext;
  delete sc.allowPrivilegeEscalation;
  sc.privileged = true;
  return { allowed, denied };
}

const WEBHOOK: BenchWebhook = {
  configName: 'palisade-bench-soak',
  webhook: 'soak.palisade.dev',
  namespaceLabel: ['palisade.dev/bench', 'soak'],
  resources: [{ group: 'apps', version: 'v1', resource: 'deployments' }],
  probe: { path: DEPLOYMENTS, object: deployments().denied },
};

const DENIAL = `admission webhook "${WEBHOOK.webhook}" denied the request: `;

/** Even requests carry the allowed Deployment (201 expected), odd ones the denied one (403). */
export const checkAnswer: AnswerCheck = (i, status, body) => {
  let message: string;
  try {
    message = String((JSON.parse(body) as { message?: unknown }).message ?? '');
  } catch {
    return `HTTP ${status}, not JSON: ${body.slice(0, 100)}`;
  }
  if (i % 2 === 0)
    return status === 201 ? undefined : `allowed one: HTTP ${status}: ${message.slice(0, 200)}`;
  if (status === 403 && message.startsWith(DENIAL) && message.includes('[pss-baseline-privileged]'))
    return undefined;
  return `denied one: HTTP ${status}: ${message.slice(0, 200)}`;
};

export interface ApiserverTarget {
  load: (rate: number, durationS: number, connections: number) => Promise<PacedResult>;
  close: () => Promise<void>;
}

/** Registers Palisade (listening at url, its certificate signed by caPem) and waits for it. */
export async function apiserverTarget(
  access: KubeAccess,
  url: string,
  caPem: string,
): Promise<ApiserverTarget> {
  const api = kubeApi(access, 1);
  await ensureNamespace(api, NS, { [WEBHOOK.namespaceLabel[0]]: WEBHOOK.namespaceLabel[1] });
  await unregisterWebhook(api, WEBHOOK);
  await registerWebhook(api, WEBHOOK, url, caPem);
  await waitWebhook(api, WEBHOOK, true);
  const { allowed, denied } = deployments();
  return {
    load: (rate, durationS, connections) =>
      pacedLoad({
        host: access.host,
        port: access.port,
        tls: access.tls,
        path: DEPLOYMENTS,
        body: [JSON.stringify(allowed), JSON.stringify(denied)],
        check: checkAnswer,
        rate,
        durationS,
        connections,
      }),
    close: () => unregisterWebhook(api, WEBHOOK).finally(() => api.close()),
  };
}
