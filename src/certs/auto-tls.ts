// tls.mode auto: keeps the serving certificate, the CA and the webhook's caBundle right, for
// every replica. Each pass (at start, then every checkIntervalSeconds) reads the Secret and the
// webhook configuration, plans (rotation.ts), writes the Secret if the plan changed it (with
// optimistic concurrency: the loser of a race re-reads and adopts the winner's certificates),
// makes sure the caBundle holds every CA of the Secret, and hands the serving certificate to
// the server when it changed. No leader election: every write is safe to lose.
import type { Logger } from 'pino';
import type { AutoTls } from '../config/schema';
import { PalisadeError } from '../errors';
import { kubeApis, apiReason, type KubeApis } from '../kube/client';
import { SecretStore } from '../kube/secret-store';
import { WebhookCaBundle } from './webhook-ca-bundle';
import type { ServingCert } from './serving-cert';
import { certInfo } from './pem';
import { planRotation, type RotationPolicy } from './rotation';
import { fromSecretData, toSecretData } from './tls-material';

/** Passes that lose a write race before giving up until the next interval. */
const MAX_CONFLICTS = 5;
/** Start-up attempts (0.5 s, 1 s, 2 s, ... between them) before the process gives up. */
const START_ATTEMPTS = 6;

export interface AutoTlsDeps {
  logger: Logger;
  apis: KubeApis;
  now?: () => Date;
}

export class AutoTlsManager {
  private readonly store: SecretStore;
  private readonly webhook: WebhookCaBundle;
  private readonly policy: RotationPolicy;
  private readonly logger: Logger;
  private readonly now: () => Date;
  private served: ServingCert | undefined;
  private running: Promise<ServingCert> | undefined;

  constructor(
    private readonly options: AutoTls,
    deps: AutoTlsDeps,
  ) {
    const { apis } = deps;
    this.store = new SecretStore(apis.core, options.namespace, options.secretName);
    this.webhook = new WebhookCaBundle(apis.admission, options.webhookConfigurationName);
    this.policy = {
      hosts: options.hosts,
      caValidityDays: options.caValidityDays,
      certValidityDays: options.certValidityDays,
      caTrustDelaySeconds: options.caTrustDelaySeconds,
    };
    this.logger = deps.logger.child({ component: 'tls-auto' });
    this.now = deps.now ?? (() => new Date());
  }

  /** A manager with API clients from `options.kubeconfig` (or the pod's service account). */
  static async create(options: AutoTls, deps: Omit<AutoTlsDeps, 'apis'>): Promise<AutoTlsManager> {
    return new AutoTlsManager(options, { ...deps, apis: await kubeApis(options.kubeconfig) });
  }

  /** The first pass, retried with backoff: the server cannot listen without a certificate. */
  async start(): Promise<ServingCert> {
    let last: unknown;
    for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      try {
        return await this.reconcile();
      } catch (err) {
        last = err;
        this.logger.warn({ attempt, reason: apiReason(err) }, 'automatic TLS not ready yet');
        if (attempt < START_ATTEMPTS) await delay(250 * 2 ** attempt);
      }
    }
    throw new PalisadeError('PAL_ERR_TLS_AUTO', [
      `secret ${this.options.namespace}/${this.options.secretName}, ` +
        `validatingwebhookconfiguration ${this.options.webhookConfigurationName}: ${apiReason(last)}`,
    ]);
  }

  /** One pass; concurrent callers share the pass in flight. */
  reconcile(): Promise<ServingCert> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<ServingCert> {
    for (let i = 0; i < MAX_CONFLICTS; i++) {
      const secret = await this.store.get();
      const trusted = await this.webhook.trusted();
      const now = this.now();
      const plan = planRotation(fromSecretData(secret?.data), trusted, this.policy, now);
      if (plan.changes.length > 0) {
        const result = await this.store.write(toSecretData(plan.material), secret, {
          'palisade.dev/tls': 'managed by the Palisade webhook (tls.mode auto); do not edit',
        });
        if (result === 'conflict') {
          this.logger.debug('the Secret changed meanwhile; reading it again');
          continue;
        }
        this.logger.info({ changes: plan.changes }, 'TLS Secret updated');
      }
      if (await this.webhook.ensure(plan.material.caBundle, now)) {
        this.logger.info({ cas: plan.material.caBundle.length }, 'caBundle injected');
      }
      const serving = plan.material.serving!;
      if (this.served?.cert !== serving.certPem) {
        this.served = {
          cert: serving.certPem,
          key: serving.keyPem,
          ca: plan.material.caBundle.join(''),
          expiresAt: certInfo(serving.certPem)!.notAfter,
          source: 'auto',
        };
      }
      return this.served;
    }
    throw new Error(`the Secret kept changing during ${MAX_CONFLICTS} attempts`);
  }

  /**
   * Re-runs the pass every checkIntervalSeconds; calls `onChange` when the serving certificate
   * changed (renewed here or by another replica). Errors are logged and `onError` is told; the
   * current certificate keeps serving. Returns the function that stops it.
   */
  watch(
    onChange: (cert: ServingCert) => void,
    onError: (err: unknown) => void = () => {},
  ): () => void {
    let current = this.served?.cert;
    const timer = setInterval(() => {
      this.reconcile().then(
        (cert) => {
          if (cert.cert === current) return;
          current = cert.cert;
          onChange(cert);
        },
        (err: unknown) => {
          this.logger.error(
            { reason: apiReason(err) },
            'automatic TLS check failed; the current certificate keeps serving',
          );
          onError(err);
        },
      );
    }, this.options.checkIntervalSeconds * 1000);
    timer.unref();
    return () => clearInterval(timer);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
