// Where one evaluation of the full library goes, and A/B of bundles built differently (opa build
// -O levels, library or aggregator changes): the bench's Deployment and Pod reviews, serialized
// as Palisade serializes them, evaluated on one wasm instance on this thread (no HTTP, no worker).
//
//   node dist/bench/profile-eval.js [--rounds 5] [--iterations 2000] [--per-policy]
//        [--examples [POLICIES_DIR]] [--input deployment|pod] LABEL=BUNDLE_DIR [LABEL=BUNDLE_DIR ...]
//
// Each round times every bundle in turn (so a change of the machine's load hits all of them) and
// prints the mean µs per evaluation; the last line gives the median of the rounds. Before timing,
// the bundles must give the same violations for the input (a faster wrong answer proves nothing).
// --examples first checks the bundles agree on every example of every policy under POLICIES_DIR
// (policies/ by default): with every applicable policy at its default parameters, and with the
// example's own policy at the example's parameters.
// --per-policy also times each applicable policy alone (the input listing only it), minus the
// cost of an input listing no policy: the policies that cost most, first.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { AdmissionReviewRequest } from '../src/admission/types';
import { validateConfig } from '../src/config/load';
import { loadBundle, type Bundle } from '../src/policy/bundle';
import { InlineEvaluator, serializeInput } from '../src/policy/engine';
import { applicablePolicies } from '../src/policy/match';
import { resolvePolicies, type EffectivePolicy } from '../src/policy/policy-set';
import { findPolicyFolders } from '../src/policy/source/discover';
import { exampleRequest, policyExamples } from '../src/policy/source/examples';
import { deploymentReview, podReview } from './inputs';

interface Subject {
  label: string;
  bundle: Bundle;
  engine: InlineEvaluator;
  /** The policies that apply to the timed review. */
  policies: readonly EffectivePolicy[];
  /** Every policy of the bundle, at its default parameters. */
  policies0: readonly EffectivePolicy[];
}

const MAX_MEMORY = 64 * 1024 * 1024;

async function subject(arg: string, review: AdmissionReviewRequest): Promise<Subject> {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new Error(`expected LABEL=BUNDLE_DIR, not "${arg}"`);
  const bundle = await loadBundle(arg.slice(eq + 1));
  const { policies } = resolvePolicies(bundle.policies, validateConfig('<default>', {}));
  return {
    label: arg.slice(0, eq),
    bundle,
    engine: new InlineEvaluator(bundle, { maxMemoryBytes: MAX_MEMORY }),
    policies: applicablePolicies(policies, review.request),
    policies0: policies,
  };
}

/**
 * Mean µs of CPU time (user + system of this process) per evaluation of `input`, a fresh copy
 * each time, as a request gets. CPU time rather than wall time: on a shared machine a
 * descheduled slice counts in the wall time of whichever bundle it hit.
 */
function micros(engine: InlineEvaluator, input: ArrayBuffer, iterations: number): number {
  const bytes = new Uint8Array(input);
  const fresh = () => bytes.slice().buffer as ArrayBuffer;
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) engine.evaluateSync(fresh());
  const used = process.cpuUsage(start);
  return (used.user + used.system) / iterations;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function load1(): string {
  return loadavg()[0]!.toFixed(2);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      rounds: { type: 'string', default: '5' },
      iterations: { type: 'string', default: '2000' },
      input: { type: 'string', default: 'deployment' },
      'per-policy': { type: 'boolean', default: false },
      examples: { type: 'string' },
    },
  });
  const rounds = Number(values.rounds);
  const iterations = Number(values.iterations);
  const review = values.input === 'pod' ? podReview() : deploymentReview();
  if (positionals.length === 0) throw new Error('give at least one LABEL=BUNDLE_DIR');
  const subjects = await Promise.all(positionals.map((arg) => subject(arg, review)));

  if (values.examples !== undefined) sameOnExamples(subjects, values.examples || 'policies');

  const inputs = subjects.map((s) => serializeInput(review.request, s.policies));
  const answers = subjects.map((s, i) => JSON.stringify(s.engine.evaluateSync(inputs[i]!)));
  subjects.forEach((s, i) => {
    process.stdout.write(
      `${s.label}: ${s.policies.length} policies, input ${inputs[i]!.byteLength} bytes, ` +
        `${answers[i]!.length} bytes of violations\n`,
    );
    if (answers[i] !== answers[0]) {
      throw new Error(`${s.label} answers differently from ${subjects[0]!.label}`);
    }
  });
  for (const [i, s] of subjects.entries()) micros(s.engine, inputs[i]!, 500); // warm-up

  const perRound: number[][] = subjects.map(() => []);
  for (let r = 0; r < rounds; r++) {
    const line = subjects.map((s, i) => {
      const us = micros(s.engine, inputs[i]!, iterations);
      perRound[i]!.push(us);
      return `${s.label} ${us.toFixed(0)}`;
    });
    process.stdout.write(`round ${r + 1} (load ${load1()}): ${line.join('  ')} µs\n`);
  }
  const medians = perRound.map(median);
  process.stdout.write(
    `median of ${rounds} rounds: ${subjects.map((s, i) => `${s.label} ${medians[i]!.toFixed(0)}`).join('  ')} µs` +
      (subjects.length > 1
        ? `  (${subjects[1]!.label}/${subjects[0]!.label} ${(medians[1]! / medians[0]!).toFixed(3)})`
        : '') +
      '\n',
  );

  if (values['per-policy']) perPolicy(subjects[0]!, review, iterations);
}

/** Throws unless every bundle gives the first one's violations on every example request. */
function sameOnExamples(subjects: Subject[], policiesDir: string): void {
  const examples = findPolicyFolders(policiesDir).flatMap((id) => policyExamples(policiesDir, id));
  let compared = 0;
  let violations = 0;
  for (const ex of examples) {
    if (ex.problem) throw new Error(ex.problem);
    const request = exampleRequest(ex, '00000000-0000-0000-0000-000000000000');
    const own = validateConfig('<example>', {
      policies: { [ex.policy]: ex.parameters ? { parameters: ex.parameters } : {} },
    });
    const answers = subjects.map((s) => {
      const all = applicablePolicies(s.policies0, request);
      const mine = resolvePolicies(s.bundle.policies, own).policies.filter(
        (p) => p.id === ex.policy,
      );
      return JSON.stringify(
        [all, mine].map((ps) => s.engine.evaluateSync(serializeInput(request, ps))),
      );
    });
    answers.forEach((a, i) => {
      if (a !== answers[0]) {
        throw new Error(
          `${subjects[i]!.label} answers ${ex.file} differently from ${subjects[0]!.label}:\n${a}\n${answers[0]}`,
        );
      }
    });
    compared++;
    violations += (JSON.parse(answers[0]!) as unknown[][]).reduce((n, vs) => n + vs.length, 0);
  }
  process.stdout.write(
    `${compared} examples, ${violations} violations: the same from every bundle\n`,
  );
}

/**
 * Each applicable policy alone, on the review as the full set serializes it (so every run parses
 * the same input), less the cost of that input listing no policy.
 */
function perPolicy(s: Subject, review: AdmissionReviewRequest, iterations: number): void {
  const n = Math.max(200, iterations >> 2);
  const full = JSON.parse(new TextDecoder().decode(serializeInput(review.request, s.policies))) as {
    review: unknown;
    policies: Record<string, unknown>;
  };
  const listing = (ids: string[]) =>
    new TextEncoder().encode(
      JSON.stringify({
        review: full.review,
        policies: Object.fromEntries(ids.map((id) => [id, full.policies[id]])),
      }),
    ).buffer as ArrayBuffer;
  const time = (input: ArrayBuffer) => {
    micros(s.engine, input, 50);
    return micros(s.engine, input, n);
  };
  // The input listing no policy is timed beside each policy (three pairs, the median of the
  // differences), so a change of the machine's load between policies does not shift the figures.
  const empty = listing([]);
  const base = time(empty);
  const all = time(listing(s.policies.map((p) => p.id)));
  const rows = s.policies.map((p) => {
    const input = listing([p.id]);
    const diffs = [0, 1, 2].map(() => time(input) - time(empty));
    return { id: p.id, us: median(diffs) };
  });
  rows.sort((a, b) => b.us - a.us);
  const sum = rows.reduce((t, r) => t + r.us, 0);
  process.stdout.write(
    `per policy (${s.label}): input listing no policy ${base.toFixed(0)} µs, all ${all.toFixed(0)} µs; ` +
      `sum of the policies alone ${sum.toFixed(0)} µs\n`,
  );
  for (const r of rows) process.stdout.write(`  ${r.us.toFixed(1).padStart(7)}  ${r.id}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
