// Comparing a Pod Security Admission answer with Palisade's violations: the decision (refused or
// not) and the set of checks that fired, by PSA's reason strings ("privileged", "host
// namespaces", ...), which every Palisade PSS message starts with.
import type { Violation } from '../../../src/policy/violation';
import type { PsaOutcome } from './psa-cluster';

/** PSA's reasons in `violates PodSecurity "…": reason (detail), reason (detail)`. */
export function psaReasons(message: string): Set<string> {
  const m = /(?:would )?violates? PodSecurity "[^"]*": (.*)$/s.exec(message);
  if (!m) return new Set();
  // No detail contains "), " (they hold names, values and field paths), so this splits entries.
  return new Set(m[1]!.split(/\), (?=\S)/).map((entry) => normalize(entry.replace(/ \(.*$/s, ''))));
}

/** The reasons of Palisade's violations, with PSA's overrides at the restricted level applied. */
export function palisadeReasons(vs: readonly Violation[], level: string): Set<string> {
  const reasons = new Set(vs.map((v) => normalize(v.msg.replace(/ \(.*$/s, ''))));
  if (level === 'restricted') {
    // At restricted, PSA replaces two baseline checks by stricter restricted ones that report under
    // another reason; Palisade runs both policies, so a Pod refused by the restricted one may also
    // be reported by the baseline one.
    if (reasons.has('unrestricted capabilities')) reasons.delete('non-default capabilities');
    if (reasons.has('restricted volume types')) reasons.delete('hostPath volumes');
  }
  return reasons;
}

const normalize = (reason: string) =>
  reason === 'forbidden AppArmor profiles' ? 'forbidden AppArmor profile' : reason;

/** PSA's warning for a workload (PSA never refuses one), as a denial message or undefined. */
export function workloadViolation(outcome: PsaOutcome): string | undefined {
  if (outcome.kind !== 'allowed') return undefined;
  return outcome.warnings.find((w) => w.startsWith('would violate PodSecurity'));
}

export interface Comparison {
  what: string;
  psaDenied: boolean;
  psaReasons: Set<string>;
  palisade: Violation[];
  /** Compare the reasons too (not for raw objects the apiserver would default differently). */
  reasons: boolean;
  level: string;
}

/** A line describing the disagreement, or undefined when Palisade agrees with PSA. */
export function disagreement(c: Comparison): string | undefined {
  const denied = c.palisade.length > 0;
  const ours = palisadeReasons(c.palisade, c.level);
  const sameReasons =
    !c.reasons || (ours.size === c.psaReasons.size && [...ours].every((r) => c.psaReasons.has(r)));
  if (denied === c.psaDenied && sameReasons) return undefined;
  const fmt = (s: Set<string>) => `[${[...s].sort().join('; ')}]`;
  return `${c.what}: PSA ${c.psaDenied ? 'refuses' : 'allows'} ${fmt(c.psaReasons)}, Palisade ${
    denied ? 'refuses' : 'allows'
  } ${fmt(ours)}`;
}
