// The Gatekeeper mode refuses to start while Gatekeeper itself is installed: both would create
// the constraint CRDs and write the same statuses, and Gatekeeper's webhook would still judge
// every request. Gatekeeper's webhook configuration is what enforces, so that is what is looked
// for: one labelled gatekeeper.sh/system=yes (every object of Gatekeeper's manifests and chart
// carries it) or one holding Gatekeeper's webhook, validation.gatekeeper.sh. Reading webhook
// configurations needs only list on validatingwebhookconfigurations, not pods or deployments
// in every namespace.
import type { WebhookConfigurationSummary } from '../../kube/webhook-configurations';

export const GATEKEEPER_WEBHOOKS = ['validation.gatekeeper.sh', 'check-ignore-label.gatekeeper.sh'];

/** Why Gatekeeper looks installed (the configurations that say so), or undefined. */
export function gatekeeperConflict(
  configurations: readonly WebhookConfigurationSummary[],
): string | undefined {
  const found = configurations.filter(
    (c) =>
      c.labels['gatekeeper.sh/system'] === 'yes' ||
      c.webhooks.some((w) => GATEKEEPER_WEBHOOKS.includes(w)),
  );
  if (found.length === 0) return undefined;
  const names = found.map((c) => `validatingwebhookconfiguration ${c.name}`).join(', ');
  return (
    `Gatekeeper is installed in this cluster (${names}): ` +
    'uninstall it (or turn gatekeeper.enabled off) before Palisade serves its API (docs/gatekeeper.md "Moving from Gatekeeper")'
  );
}
