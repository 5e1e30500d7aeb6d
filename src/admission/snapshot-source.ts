// What the HTTP layer may know of the policies: a source of snapshots, no more. It reads the
// snapshot now for the settings it applies outside a decision (the failure mode, the deadline,
// the byte budget), and runs each decision through use() so that a reload meanwhile cannot close
// the evaluator the decision runs on. The policy part's PolicyRuntime is one; a test may pass
// its own.
import type { PolicySnapshot } from '../policy/snapshot';

export interface SnapshotSource {
  /** The snapshot now; a decision that awaits between reads of it must use use(). */
  readonly snapshot: PolicySnapshot;
  /** Runs one decision on the current snapshot, holding it until the decision settles. */
  use<T>(decide: (snapshot: PolicySnapshot) => Promise<T>): Promise<T>;
}
