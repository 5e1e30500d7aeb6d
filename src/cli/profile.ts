// palisade eval --profile: the cost of each policy on the given inputs, so an author sees which
// policy is slow before it reaches a cluster. Each policy is evaluated alone (a snapshot holding
// only it) through the webhook's own handler, on every input it applies to, `runs` times after
// one untimed warm-up; the table is sorted by total time, the costliest first. docs/cli.md.
import { handleAdmission, type HandleOptions } from '../admission/handler';
import { prepareSnapshot, type PolicySnapshot } from '../policy/snapshot';
import type { EvalTarget } from './evaluate';

export interface PolicyProfile {
  policy: string;
  /** Timed evaluations: inputs it applies to x runs. */
  evaluations: number;
  /** Inputs it applies to. */
  inputs: number;
  totalUs: number;
  meanUs: number;
  p50Us: number;
  p95Us: number;
  /** Its part of all policies' total time, 0..1. */
  share: number;
}

export interface ProfileReport {
  runs: number;
  inputs: number;
  policies: PolicyProfile[];
  /** Policies that applied to none of the inputs (not timed). */
  notApplicable: string[];
}

export const DEFAULT_PROFILE_RUNS = 10;
export const MAX_PROFILE_RUNS = 100_000;

/** The q-quantile (nearest rank) of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export async function profilePolicies(
  targets: readonly EvalTarget[],
  snapshot: PolicySnapshot,
  runs: number,
  opts: HandleOptions = {},
): Promise<ProfileReport> {
  const measured: Omit<PolicyProfile, 'share'>[] = [];
  const notApplicable: string[] = [];
  for (const policy of snapshot.policies) {
    const alone = prepareSnapshot({ ...snapshot, policies: [policy] });
    const samples: number[] = [];
    let inputs = 0;
    for (const t of targets) {
      // Warm-up, and whether it applies at all (an exempt or unmatched input evaluates nothing).
      const first = await handleAdmission(t.review, alone, opts);
      if (first.evaluated.length === 0) continue;
      inputs++;
      for (let i = 0; i < runs; i++) {
        const started = process.hrtime.bigint();
        await handleAdmission(t.review, alone, opts);
        samples.push(Number(process.hrtime.bigint() - started) / 1000);
      }
    }
    if (samples.length === 0) {
      notApplicable.push(policy.id);
      continue;
    }
    samples.sort((a, b) => a - b);
    const totalUs = samples.reduce((a, b) => a + b, 0);
    measured.push({
      policy: policy.id,
      evaluations: samples.length,
      inputs,
      totalUs,
      meanUs: totalUs / samples.length,
      p50Us: quantile(samples, 0.5),
      p95Us: quantile(samples, 0.95),
    });
  }
  const sum = measured.reduce((a, p) => a + p.totalUs, 0);
  const policies = measured
    .map((p) => ({ ...p, share: sum > 0 ? p.totalUs / sum : 0 }))
    .sort((a, b) => b.totalUs - a.totalUs || a.policy.localeCompare(b.policy));
  return { runs, inputs: targets.length, policies, notApplicable: notApplicable.sort() };
}

const us = (n: number) => (n >= 100 ? Math.round(n).toString() : n.toFixed(1));

/** The table: policy, evaluations, mean, p50, p95 (µs), share; costliest first. */
export function formatProfileTable(r: ProfileReport): string {
  const header = ['POLICY', 'EVALUATIONS', 'MEAN µs', 'P50 µs', 'P95 µs', 'SHARE'];
  const rows = r.policies.map((p) => [
    p.policy,
    String(p.evaluations),
    us(p.meanUs),
    us(p.p50Us),
    us(p.p95Us),
    `${(p.share * 100).toFixed(1)}%`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  // The policy column is left-aligned, numbers right-aligned.
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(header), ...rows.map(line)];
  out.push(
    '',
    `${r.policies.length} policies timed on ${r.inputs} input(s), ${r.runs} run(s) each, each policy alone`,
  );
  if (r.notApplicable.length > 0)
    out.push(`not applicable to any input: ${r.notApplicable.join(', ')}`);
  return `${out.join('\n')}\n`;
}

/** --format json: the report with times in microseconds, rounded to 0.1 µs. */
export function formatProfileJson(r: ProfileReport): string {
  const round = (n: number) => Math.round(n * 10) / 10;
  const policies = r.policies.map((p) => ({
    ...p,
    totalUs: round(p.totalUs),
    meanUs: round(p.meanUs),
    p50Us: round(p.p50Us),
    p95Us: round(p.p95Us),
    share: Math.round(p.share * 10_000) / 10_000,
  }));
  return `${JSON.stringify({ ...r, policies }, null, 2)}\n`;
}
