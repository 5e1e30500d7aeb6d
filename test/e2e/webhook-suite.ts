// The setup every webhook e2e file shares: one Palisade process and two webhook configurations
// pointing at it, one with failurePolicy Fail and one with Ignore, each scoped by a namespace
// label unique to this run (other e2e files run in parallel on the same apiserver). A namespace
// carrying EXCLUDE_LABEL is never sent to either: that is how Palisade's own namespace is kept
// out of its webhook, so Palisade can always be redeployed even when it is down.
import { kubectl, requireCluster } from '../support/cluster';
import { createNamespace, uniqueName } from './namespaces';
import { startPalisade, type DecisionLine, type Palisade } from '../support/palisade';
import { onlyPolicies } from '../support/policy-selection';
import {
  applyWebhook,
  deleteWebhook,
  waitForWebhook,
  type Operation,
  type WebhookSpec,
} from './webhook-configuration';

export const WEBHOOK = 'validate.palisade.dev';
export const IGNORE_WEBHOOK = 'ignore.palisade.dev';
export const EXCLUDE_LABEL = 'palisade.dev/ignore';
const TARGET_LABEL = 'e2e.palisade.dev/webhook';

export interface NamespaceOptions {
  /** Which webhook applies: default Fail. */
  failurePolicy?: 'Fail' | 'Ignore';
  /** Carries EXCLUDE_LABEL: no webhook is called for it. */
  excluded?: boolean;
  /** No webhook label at all (label it later with webhookLabels()). */
  unwatched?: boolean;
}

export interface DecisionWait {
  name: string;
  operation?: string;
  count?: number;
}

export interface WebhookSuite {
  palisade: Palisade;
  /** A fresh namespace, `<prefix>-<hex>`. */
  namespace(prefix: string, opts?: NamespaceOptions): Promise<string>;
  /** The labels that put a namespace under the webhook with this failure policy. */
  webhookLabels(failurePolicy?: 'Fail' | 'Ignore'): Record<string, string>;
  /**
   * Waits for `until.count` (default 1) decision lines of `until.name` (and `until.operation`)
   * in `namespace`, then returns all of that namespace's decision lines, in order.
   */
  decisionsIn(namespace: string, until: DecisionWait): Promise<DecisionLine[]>;
  close(): Promise<void>;
}

/**
 * The policies the webhook e2e tests are about, at their default actions: disallow-privileged
 * (deny), disallow-latest-tag, require-resource-limits and require-resource-requests (warn).
 * Every other policy of the bundle is off.
 */
export const FOCUS_POLICIES = [
  'disallow-privileged',
  'disallow-latest-tag',
  'require-resource-limits',
  'require-resource-requests',
];

/** `policies` overrides settings of FOCUS_POLICIES (e.g. a match on DELETE). */
export async function startWebhookSuite(
  policies: Record<string, Record<string, unknown>> = {},
  operations: Operation[] = ['CREATE', 'UPDATE', 'DELETE'],
): Promise<WebhookSuite> {
  requireCluster();
  const run = uniqueName('e2e').slice(4);
  // disallow-privileged is off by default (pss-baseline-privileged covers it); here it denies.
  const defaults: Record<string, Record<string, unknown>> = {
    'disallow-privileged': { action: 'deny' },
  };
  const keep = Object.fromEntries(
    FOCUS_POLICIES.map((id) => [id, { ...defaults[id], ...policies[id] }]),
  );
  const palisade = await startPalisade({ config: { policies: onlyPolicies(keep) } });
  const labels = (fp: 'Fail' | 'Ignore' = 'Fail') => ({
    [TARGET_LABEL]: `${run}-${fp.toLowerCase()}`,
  });
  const specs: WebhookSpec[] = (['Fail', 'Ignore'] as const).map((fp) => ({
    configName: `palisade-e2e-${run}-${fp.toLowerCase()}`,
    webhookName: fp === 'Fail' ? WEBHOOK : IGNORE_WEBHOOK,
    url: palisade.validateUrl,
    caPem: palisade.ca.certPem,
    failurePolicy: fp,
    operations,
    namespaceSelector: {
      matchLabels: labels(fp),
      matchExpressions: [{ key: EXCLUDE_LABEL, operator: 'DoesNotExist' }],
    },
  }));
  const namespace = (prefix: string, o: NamespaceOptions = {}) =>
    createNamespace(uniqueName(prefix), {
      ...(o.unwatched ? {} : labels(o.failurePolicy)),
      ...(o.excluded ? { [EXCLUDE_LABEL]: 'true' } : {}),
    });
  const close = async () => {
    for (const s of specs) await deleteWebhook(s.configName);
    await palisade.stop();
  };
  try {
    for (const s of specs) {
      await applyWebhook(s);
      await waitForWebhook(
        await namespace('e2e-probe', { failurePolicy: s.failurePolicy }),
        s.webhookName,
      );
    }
  } catch (err) {
    await close();
    throw err;
  }
  return {
    palisade,
    namespace,
    webhookLabels: labels,
    async decisionsIn(ns, { name, operation, count = 1 }) {
      await palisade.waitForDecisions(
        (d) =>
          d.namespace === ns &&
          d.name === name &&
          (operation === undefined || d.operation === operation),
        count,
      );
      return palisade.decisions().filter((d) => d.namespace === ns);
    },
    close,
  };
}

/** kubectl in a namespace. */
export const kubectlIn = (namespace: string, args: string[], stdin?: string) =>
  kubectl(['-n', namespace, ...args], stdin);
