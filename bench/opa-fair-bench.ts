// In-process cost of the two OPA queries on one bench input, without HTTP: `opa bench` (the
// pinned .tools/bin/opa, topdown) of Palisade's aggregator (data.palisade.violations, on the
// input the wasm gets) against the fair query (data.palisade_fair.violations, opa-fair.ts), in
// alternating rounds so that a change of the machine's load hits both. Both answers are checked
// equal first (`opa eval`).
//
//   npm run -s build && npm run -s build:bench && node dist/bench/opa-fair-bench.js
//
// Env: BENCH_OPA_ROUNDS (default 3), BENCH_OPA_INPUT (pod, deployment or configmap; default
// deployment), BENCH_CONFIG and BENCH_POLICIES as for npm run bench.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { toViolations } from '../src/policy/violation';
import { ROOT } from '../test/support/root';
import { evaluationInputs } from './eval-inputs';
import { configMapReview, deploymentReview, podReview } from './inputs';
import {
  fairInput,
  fairPolicies,
  fairViolations,
  OPA_FAIR_QUERY,
  violationSet,
  writeFairEntry,
} from './opa-fair';
import { buildPolicySet } from './policy-set';

const ROUNDS = Number(process.env.BENCH_OPA_ROUNDS ?? 3);
const INPUT = process.env.BENCH_OPA_INPUT ?? 'deployment';
const OPA = join(ROOT, '.tools', 'bin', 'opa');
const AGGREGATOR_QUERY = 'data.palisade.violations';

interface Query {
  name: string;
  query: string;
  files: string[];
  inputFile: string;
}

/** One `opa bench` run: mean and median µs per query, allocations per query. */
function opaBench(q: Query): { us: number; median_us: number; allocs: number; n: number } {
  const out = execFileSync(
    OPA,
    ['bench', '-f', 'json', '-i', q.inputFile, ...q.files.flatMap((f) => ['-d', f]), q.query],
    { maxBuffer: 16 << 20 },
  ).toString();
  const r = JSON.parse(out) as {
    N: number;
    T: number;
    MemAllocs: number;
    Extra: Record<string, number>;
  };
  return {
    us: Math.round(r.T / r.N / 1000),
    median_us: Math.round(r.Extra['histogram_timer_rego_query_eval_ns_median']! / 1000),
    allocs: Math.round(r.MemAllocs / r.N),
    n: r.N,
  };
}

function opaEval(q: Query): unknown {
  const out = execFileSync(
    OPA,
    ['eval', '-f', 'json', '-i', q.inputFile, ...q.files.flatMap((f) => ['-d', f]), q.query],
    { maxBuffer: 64 << 20 },
  ).toString();
  return (JSON.parse(out) as { result: { expressions: { value: unknown }[] }[] }).result[0]!
    .expressions[0]!.value;
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'palisade-opa-fair-'));
  try {
    const review = { pod: podReview, deployment: deploymentReview, configmap: configMapReview }[
      INPUT
    ];
    if (!review) throw new Error(`BENCH_OPA_INPUT=${INPUT}: not pod, deployment or configmap`);
    const set = buildPolicySet(ROOT, join(work, 'set'), 1, process.env.BENCH_CONFIG);
    const reviews = { [INPUT]: review() };
    const evalInput = (await evaluationInputs(set.configFile, reviews))[INPUT]!;
    const aggregatorInput = join(work, 'aggregator-input.json');
    writeFileSync(aggregatorInput, evalInput.json);
    const fairFile = join(work, 'fair-input.json');
    const input = fairInput(reviews[INPUT]!.request, evalInput.json, fairPolicies(set.bundle));
    writeFileSync(fairFile, JSON.stringify(input));
    const entry = writeFairEntry(set.bundle, join(work, 'palisade_fair.rego'));
    const sources = set.regoFiles.filter((f) => f.startsWith(set.dir + sep));
    const queries: Query[] = [
      {
        name: 'aggregator',
        query: AGGREGATOR_QUERY,
        files: set.regoFiles,
        inputFile: aggregatorInput,
      },
      { name: 'fair', query: OPA_FAIR_QUERY, files: [...sources, entry], inputFile: fairFile },
    ];
    const want = violationSet(toViolations(opaEval(queries[0]!)));
    const got = violationSet(fairViolations(opaEval(queries[1]!)));
    if (JSON.stringify(got) !== JSON.stringify(want))
      throw new Error(
        `the fair query's violations differ:\n${got.join('\n')}\n---\n${want.join('\n')}`,
      );
    process.stderr.write(
      `${INPUT}: ${evalInput.policies} policies apply, ${want.length} violations from both queries\n`,
    );
    const rounds: Record<string, unknown>[] = [];
    for (let i = 1; i <= ROUNDS; i++) {
      const load = Math.round(loadavg()[0]! * 100) / 100;
      const [agg, fair] = queries.map(opaBench);
      rounds.push({ round: i, load, aggregator: agg, fair });
      process.stderr.write(
        `round ${i} (load ${load}): aggregator ${agg!.us} µs/query (median ${agg!.median_us}, ` +
          `${agg!.allocs} allocs), fair ${fair!.us} µs/query (median ${fair!.median_us}, ` +
          `${fair!.allocs} allocs): ${Math.round((agg!.us / fair!.us) * 10) / 10}×\n`,
      );
    }
    process.stdout.write(
      JSON.stringify({ input: INPUT, policies: evalInput.policies, rounds }, null, 2) + '\n',
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(
    `opa-fair-bench failed: ${err instanceof Error ? err.stack : String(err)}\n`,
  );
  process.exit(1);
});
