import type { Logger } from 'pino';
import type { NamespaceLabels } from '../policy/match';
import type { PolicyRuntime } from '../policy/policy-runtime';
import type { Metrics } from './metrics';

/** What the HTTP layer needs from the rest of Palisade. */
export interface ServerDeps {
  runtime: PolicyRuntime;
  metrics: Metrics;
  logger: Logger;
  /** Readiness beyond the bundle: TLS loaded and not draining. */
  isReady: () => boolean;
  namespaceLabels?: NamespaceLabels;
}
