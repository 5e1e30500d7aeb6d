// What the HTTP layer needs from the rest of Palisade, all of it through the admission part:
// the server never imports the policy part (docs/architecture.md).
import type { Logger } from 'pino';
import type { NamespaceLabels } from '../admission/handler';
import type { SnapshotSource } from '../admission/snapshot-source';
import type { Denial } from '../denial';
import type { Metrics } from './metrics';

export interface ServerDeps {
  /** The policies' snapshots (main.ts passes the PolicyRuntime). */
  snapshots: SnapshotSource;
  metrics: Metrics;
  logger: Logger;
  /** Readiness beyond the bundle: TLS loaded and not draining. */
  isReady: () => boolean;
  /** Why the webhook is not ready (no verified bundle yet), for /readyz's body; undefined: ready. */
  notReadyReason?: () => string | undefined;
  namespaceLabels?: NamespaceLabels;
  /** Called for each denied request that is not a dry run (config events.denials, main.ts). */
  onDenied?: (denial: Denial) => void;
}
