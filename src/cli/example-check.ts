// Runs one policy example through the webhook's handler on a compiled bundle and compares the
// violations with its expectation (docs/policy-contract.md): an allowed example must give none,
// a denied one exactly the listed ones (as a set, each cut down to the keys the expectation uses).
import { handleAdmission } from '../admission/handler';
import { ADMISSION_API_VERSION } from '../admission/types';
import { describeThrown } from '../errors';
import type { AdmissionRequest } from '../policy/request';
import type { PolicySnapshot } from '../policy/snapshot';
import { exampleParameters, exampleRequest, type Example } from '../policy/source/examples';

export interface ExampleOutcome {
  ok: boolean;
  /** Why it failed: what was wanted and what the engine gave. */
  detail?: string;
}

export async function checkExample(ex: Example, snapshot: PolicySnapshot): Promise<ExampleOutcome> {
  if (ex.problem) return { ok: false, detail: ex.problem };
  const policy = snapshot.policies.find((p) => p.id === ex.policy);
  if (!policy) return { ok: false, detail: `policy ${ex.policy} is not in the bundle` };
  let request: AdmissionRequest;
  try {
    request = exampleRequest(ex);
  } catch (thrown) {
    return { ok: false, detail: describeThrown(thrown) };
  }
  const review = { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', request } as const;
  // Only this policy, as deny, with the example's parameters (else the policy's defaults).
  const only = {
    ...policy,
    action: 'deny' as const,
    parameters: exampleParameters(ex, policy.meta),
  };
  const decision = await handleAdmission(review, { ...snapshot, policies: [only] });
  if (decision.outcome === 'error') {
    return { ok: false, detail: `evaluation failed: ${decision.error?.message}` };
  }
  const keys = [...new Set(['msg', 'path', ...ex.violations.flatMap((v) => Object.keys(v))])];
  const got = decision.violations.map((v) => canonical(pick(v, keys)));
  const want = ex.violations.map((v) => canonical(v));
  const same = new Set(got).size === new Set(want).size && got.every((g) => want.includes(g));
  const allowedOk = decision.review.response.allowed === (ex.expect === 'allowed');
  if (same && allowedOk) return { ok: true };
  const message = decision.review.response.status?.message;
  return {
    ok: false,
    detail: [
      `want ${ex.expect === 'allowed' ? 'no violation' : 'exactly:'}`,
      ...want.map((w) => `  ${w}`),
      `got${got.length === 0 ? ' no violation' : ':'}`,
      ...got.map((g) => `  ${g}`),
      ...(message ? ['the webhook would answer: denied the request: ' + message] : []),
    ].join('\n'),
  };
}

function pick(v: object, keys: readonly string[]): Record<string, unknown> {
  const o = v as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));
}

/** JSON with sorted keys, so equal violations compare equal as strings. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(
          Object.entries(x as Record<string, unknown>).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0,
          ),
        )
      : x,
  );
}
