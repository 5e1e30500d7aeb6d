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
import { GATOR_BIN, gatorBench, gatorTest, type GatorBench } from '../test/support/gator';
import { ROOT } from '../test/support/root';
import { evaluationMicros } from './eval-inputs';
import { podManifest, podReview } from './inputs';
import { quantile } from './quantile';

const PSS = join(ROOT, 'test', 'fixtures', 'gatekeeper', 'pss-baseline');
const CONTAINERS = 8;

export interface GatekeeperBenchResult {
  templates: number;
  constraints: number;
  containers: number;
  iterations: number;
  violations: { palisade: number; gator: number };
  /** Microseconds per review through handleAdmission. */
  palisade: {
    mean_us: number;
    p50_us: number;
    p95_us: number;
    p99_us: number;
    reviews_per_s: number;
  };
  /** Microseconds per wasm evaluation alone (input serialized once). */
  palisade_eval_us: number;
  gator: GatorBench;
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
    const us = await timed(opts.iterations, async () => {
      await handleAdmission(review, runtime.snapshot);
    });
    const mean = us.reduce((a, b) => a + b, 0) / us.length;
    const gator = await gatorBench([...files, podFile], { iterations: opts.iterations });
    return {
      templates: objects.templates.length,
      constraints: objects.constraints.length,
      containers: CONTAINERS,
      iterations: opts.iterations,
      violations: { palisade: decision.violations.length, gator: fromGator.length },
      palisade: {
        mean_us: Math.round(mean),
        p50_us: Math.round(quantile(us, 0.5)),
        p95_us: Math.round(quantile(us, 0.95)),
        p99_us: Math.round(quantile(us, 0.99)),
        reviews_per_s: Math.round(1e6 / mean),
      },
      palisade_eval_us: await evaluationMicros(
        outDir,
        { json: input, policies: applicable.length },
        opts.iterations,
      ),
      gator,
    };
  } finally {
    await runtime.close();
  }
}

/** The lines the bench prints for the case (names as in bench/results.json). */
export function gatekeeperLines(r: GatekeeperBenchResult): string {
  const g = r.gator.latencyUs;
  return (
    `gatekeeper: ${r.templates} templates, ${r.constraints} constraints, a Pod of ${r.containers} containers, ` +
    `${r.iterations} reviews each; violations palisade=${r.violations.palisade} gator=${r.violations.gator} (${GATOR_BIN})\n` +
    `gk palisade   mean ${r.palisade.mean_us} µs  p50 ${r.palisade.p50_us} µs  p95 ${r.palisade.p95_us} µs  p99 ${r.palisade.p99_us} µs  ${r.palisade.reviews_per_s} reviews/s  (wasm alone ${r.palisade_eval_us} µs)\n` +
    `gk gator      mean ${g.mean} µs  p50 ${g.p50} µs  p95 ${g.p95} µs  p99 ${g.p99} µs  ${Math.round(r.gator.reviewsPerSecond)} reviews/s\n` +
    `gk ratio gator/palisade: mean ${ratio(g.mean, r.palisade.mean_us)}, p99 ${ratio(g.p99, r.palisade.p99_us)}\n`
  );
}

const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

/** The summary keys of bench/results.json. */
export function gatekeeperSummary(r: GatekeeperBenchResult): Record<string, unknown> {
  return {
    gk_palisade_mean_us: r.palisade.mean_us,
    gk_palisade_p99_us: r.palisade.p99_us,
    gk_palisade_eval_us: r.palisade_eval_us,
    gk_gator_mean_us: r.gator.latencyUs.mean,
    gk_gator_p99_us: r.gator.latencyUs.p99,
    ratio_gk_gator_to_palisade_mean: ratio(r.gator.latencyUs.mean, r.palisade.mean_us),
    ratio_gk_gator_to_palisade_p99: ratio(r.gator.latencyUs.p99, r.palisade.p99_us),
    gatekeeper: r,
  };
}
