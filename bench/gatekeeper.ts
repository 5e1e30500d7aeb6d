// The Gatekeeper case of the bench (BENCH_INPUTS=...,gatekeeper): the Pod Security Standards
// baseline as ConstraintTemplates + constraints (test/fixtures/gatekeeper/pss-baseline, 12 of
// each) on one compliant Pod of 8 containers (inputs.ts), in Palisade and in Gatekeeper's own
// engine, `gator bench --engine rego` of the pinned gator (scripts/tools.sh gator, built here on
// first use). Both evaluate one object at a time, in process, without HTTP or TLS (what gator
// bench measures): Palisade compiles the templates with the real opa into one wasm and reviews the
// Pod's AdmissionRequest through handleAdmission (match, one evaluation, decision) on the event
// loop; the wasm evaluation alone is timed as well. Both must find the same violations (none)
// before anything is timed.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { handleAdmission } from '../src/admission/handler';
import { validateConfig } from '../src/config/load';
import { compileTemplates } from '../src/gatekeeper/compile';
import { loadGatekeeperObjects } from '../src/gatekeeper/load-objects';
import { constraintPolicies } from '../src/gatekeeper/policies';
import { Opa, pinnedOpaPath } from '../src/policy/build/opa';
import { serializeInput } from '../src/policy/engine';
import { applicablePolicies } from '../src/policy/match';
import { PolicyRuntime } from '../src/policy/policy-runtime';
import { parseDocuments } from '../src/policy/source/yaml';
import { GATOR_BIN, gatorBench, gatorTest } from '../test/support/gator';
import { ROOT } from '../test/support/root';
import { evaluationMicros } from './eval-inputs';
import { podManifest, podReview } from './inputs';
import { quantile } from './quantile';

const PSS = join(ROOT, 'test', 'fixtures', 'gatekeeper', 'pss-baseline');
const CONTAINERS = 8;

export interface Latency {
  mean_us: number;
  p50_us: number;
  p95_us: number;
  p99_us: number;
}

/** One round: Palisade's reviews, then gator's, back to back (the load changes between rounds). */
export interface GatekeeperRound {
  palisade: Latency;
  gator: Latency;
  /** The 1-minute load average at the end of the round. */
  loadavg: number;
}

export interface GatekeeperBenchResult {
  templates: number;
  constraints: number;
  containers: number;
  /** Reviews per engine per round. */
  iterations: number;
  violations: { palisade: number; gator: number };
  rounds: GatekeeperRound[];
  /** Medians over the rounds of gator's figure / Palisade's. */
  ratio_mean: number;
  ratio_p50: number;
  ratio_p99: number;
  /** Microseconds per wasm evaluation alone (input serialized once). */
  palisade_eval_us: number;
  /** gator's template compilation + constraint and data loading, last round. */
  gator_setup_ms: number;
}

/** Every template.yaml and constraint*.yaml of the PSS baseline set. */
function pssFiles(): string[] {
  return readdirSync(PSS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(PSS, d.name))
        .filter((f) => f === 'template.yaml' || f === 'constraint.yaml')
        .map((f) => join(PSS, d.name, f)),
    )
    .sort();
}

/** Per-review microseconds of `fn`, after a warm-up of a tenth of the iterations. */
async function timed(iterations: number, fn: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < Math.max(10, iterations / 10); i++) await fn();
  const us: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    await fn();
    us.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  return us;
}

export async function runGatekeeperBench(opts: {
  work: string;
  iterations: number;
  rounds: number;
}): Promise<GatekeeperBenchResult> {
  // On demand, as the OCI tests' registry: a no-op once .tools/bin/gator is at the pinned version.
  execFileSync('bash', [join(ROOT, 'scripts', 'tools.sh'), 'gator'], { stdio: 'inherit' });
  const files = pssFiles();
  const podFile = join(opts.work, 'pod-8-containers.yaml');
  writeFileSync(podFile, stringify(podManifest(CONTAINERS)));

  const objects = loadGatekeeperObjects(
    files.flatMap((f) => parseDocuments(f, readFileSync(f, 'utf8')).documents),
  );
  if (objects.problems.length > 0) throw new Error(JSON.stringify(objects.problems));
  const outDir = join(opts.work, 'gatekeeper-bundle');
  const compiled = await compileTemplates({
    opa: new Opa(pinnedOpaPath()),
    templates: objects.templates,
    outDir,
  });
  if (compiled.errors.size > 0) throw new Error(JSON.stringify([...compiled.errors]));
  const config = validateConfig('bench', {
    bundle: outDir,
    evaluation: { workers: 0 },
    policies: {},
  });
  const runtime = await PolicyRuntime.start(config);
  try {
    if (!(await runtime.setConstraints(constraintPolicies(objects.constraints)))) {
      throw new Error('the PSS constraints were refused');
    }
    const review = podReview(CONTAINERS);
    const decision = await handleAdmission(review, runtime.snapshot);
    const applicable = applicablePolicies(runtime.snapshot.policies, review.request);
    // Same answer from both engines first: every constraint applies, none is violated.
    const fromGator = await gatorTest([...files, podFile]);
    if (decision.violations.length !== fromGator.length) {
      throw new Error(
        `palisade found ${decision.violations.length} violations, gator ${fromGator.length}`,
      );
    }
    if (applicable.length !== objects.constraints.length) {
      throw new Error(`${applicable.length} of ${objects.constraints.length} constraints apply`);
    }
    const input = new TextDecoder().decode(serializeInput(review.request, applicable));
    const rounds: GatekeeperRound[] = [];
    let setupMs = 0;
    for (let i = 0; i < opts.rounds; i++) {
      const us = await timed(opts.iterations, async () => {
        await handleAdmission(review, runtime.snapshot);
      });
      const g = await gatorBench([...files, podFile], { iterations: opts.iterations });
      setupMs = g.setupMs;
      rounds.push({
        palisade: {
          mean_us: us.reduce((a, b) => a + b, 0) / us.length,
          p50_us: quantile(us, 0.5),
          p95_us: quantile(us, 0.95),
          p99_us: quantile(us, 0.99),
        },
        gator: {
          mean_us: g.latencyUs.mean,
          p50_us: g.latencyUs.p50,
          p95_us: g.latencyUs.p95,
          p99_us: g.latencyUs.p99,
        },
        loadavg: Math.round(loadavg()[0]! * 100) / 100,
      });
    }
    const medianRatio = (k: keyof Latency) =>
      ratio(
        quantile(
          rounds.map((r) => r.gator[k] / r.palisade[k]),
          0.5,
        ),
        1,
      );
    return {
      templates: objects.templates.length,
      constraints: objects.constraints.length,
      containers: CONTAINERS,
      iterations: opts.iterations,
      violations: { palisade: decision.violations.length, gator: fromGator.length },
      rounds: rounds.map((r) => ({ ...r, palisade: rounded(r.palisade), gator: rounded(r.gator) })),
      ratio_mean: medianRatio('mean_us'),
      ratio_p50: medianRatio('p50_us'),
      ratio_p99: medianRatio('p99_us'),
      palisade_eval_us: await evaluationMicros(
        outDir,
        { json: input, policies: applicable.length },
        opts.iterations,
      ),
      gator_setup_ms: Math.round(setupMs * 10) / 10,
    };
  } finally {
    await runtime.close();
  }
}

const rounded = (l: Latency): Latency => ({
  mean_us: Math.round(l.mean_us),
  p50_us: Math.round(l.p50_us),
  p95_us: Math.round(l.p95_us),
  p99_us: Math.round(l.p99_us),
});

const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

const latencyText = (l: Latency) =>
  `mean ${l.mean_us} µs  p50 ${l.p50_us} µs  p95 ${l.p95_us} µs  p99 ${l.p99_us} µs`;

/** The lines the bench prints for the case (names as in bench/results.json). */
export function gatekeeperLines(r: GatekeeperBenchResult): string {
  const rounds = r.rounds.map(
    (x, i) =>
      `gk round ${i + 1} (load ${x.loadavg})\n  palisade ${latencyText(x.palisade)}\n  gator    ${latencyText(x.gator)}\n`,
  );
  return (
    `gatekeeper: ${r.templates} templates, ${r.constraints} constraints, a Pod of ${r.containers} containers, ` +
    `${r.iterations} reviews per engine per round; violations palisade=${r.violations.palisade} gator=${r.violations.gator} (${GATOR_BIN})\n` +
    rounds.join('') +
    `gk palisade wasm alone ${r.palisade_eval_us} µs; gator setup ${r.gator_setup_ms} ms\n` +
    `gk ratio gator/palisade (median of rounds): mean ${r.ratio_mean}, p50 ${r.ratio_p50}, p99 ${r.ratio_p99}\n`
  );
}

/** The summary keys of bench/results.json. */
export function gatekeeperSummary(r: GatekeeperBenchResult): Record<string, unknown> {
  return {
    ratio_gk_gator_to_palisade_mean: r.ratio_mean,
    ratio_gk_gator_to_palisade_p50: r.ratio_p50,
    ratio_gk_gator_to_palisade_p99: r.ratio_p99,
    gk_palisade_eval_us: r.palisade_eval_us,
    gatekeeper: r,
  };
}
