// The caBundle of Palisade's own ValidatingWebhookConfiguration. Palisade only ever adds CAs to
// it, and drops them only once expired: a replica working from a stale view can therefore never
// remove a CA another replica still needs. Updates carry the resourceVersion they were based on.
import type { V1ValidatingWebhookConfiguration } from '@kubernetes/client-node' with {
  'resolution-mode': 'import',
};
import { apiStatus, withTimeout, type AdmissionregistrationV1Api } from '../kube/client';
import { bundleContains, mergeBundles, sameBundle, splitPem } from './pem';

const MAX_ATTEMPTS = 5;

export class WebhookCaBundle {
  constructor(
    private readonly admission: AdmissionregistrationV1Api,
    readonly name: string,
  ) {}

  private read(): Promise<V1ValidatingWebhookConfiguration> {
    return withTimeout(
      `get validatingwebhookconfiguration ${this.name}`,
      this.admission.readValidatingWebhookConfiguration({ name: this.name }),
    );
  }

  /** The CAs every webhook of the configuration trusts (those in all of their caBundles). */
  async trusted(): Promise<string[]> {
    const webhooks = (await this.read()).webhooks ?? [];
    const bundles = webhooks.map((w) => decode(w.clientConfig.caBundle));
    if (bundles.length === 0) return [];
    return bundles[0]!.filter((pem) => bundles.every((b) => bundleContains(b, pem)));
  }

  /**
   * Makes every webhook's caBundle contain `bundle` (keeping what it has, minus expired
   * certificates). Returns true if it changed anything.
   */
  async ensure(bundle: string[], now: Date): Promise<boolean> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const vwc = await this.read();
      let changed = false;
      for (const w of vwc.webhooks ?? []) {
        const current = decode(w.clientConfig.caBundle);
        const next = mergeBundles([current, bundle], now);
        if (!sameBundle(current, next) || current.length !== next.length) {
          w.clientConfig.caBundle = Buffer.from(next.join(''), 'utf8').toString('base64');
          changed = true;
        }
      }
      if (!changed) return false;
      try {
        await withTimeout(
          `update validatingwebhookconfiguration ${this.name}`,
          this.admission.replaceValidatingWebhookConfiguration({ name: this.name, body: vwc }),
        );
        return true;
      } catch (err) {
        // Changed meanwhile (another replica, a helm upgrade): read again and merge again.
        if (apiStatus(err) !== 409 || attempt === MAX_ATTEMPTS) throw err;
      }
    }
    return false;
  }
}

function decode(caBundle: string | undefined): string[] {
  return caBundle ? splitPem(Buffer.from(caBundle, 'base64').toString('utf8')) : [];
}
