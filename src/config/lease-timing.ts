// The rule a leader election's timings must keep so that one leader at most acts at a time
// (client-go's NewLeaderElector checks the same): the leader gives up before its lease expires
// (renewDeadline < leaseDuration), and a retry fits within the renew deadline even with its
// jitter (retryPeriod × 1.2 < renewDeadline). Checked by loadConfig for audit.lease and by the
// elector itself (src/kube/lease-lock.ts).

export interface LeaseTiming {
  durationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
}

/** client-go's JitterFactor: retries are spread over retryPeriod × [1, 1.2). */
export const LEASE_JITTER = 1.2;

/** What is wrong with these timings, naming the field; undefined when they are sound. */
export function leaseTimingProblem(t: LeaseTiming): string | undefined {
  if (t.renewDeadlineSeconds >= t.durationSeconds) {
    return `renewDeadlineSeconds (${t.renewDeadlineSeconds}) must be less than durationSeconds (${t.durationSeconds})`;
  }
  if (t.retryPeriodSeconds * LEASE_JITTER >= t.renewDeadlineSeconds) {
    return `retryPeriodSeconds × ${LEASE_JITTER} (${t.retryPeriodSeconds * LEASE_JITTER}) must be less than renewDeadlineSeconds (${t.renewDeadlineSeconds})`;
  }
  return undefined;
}
