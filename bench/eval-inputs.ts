// What the evaluation sees for each bench input: the applicable policies (as Palisade selects
// them with the bench's config) serialized into the wasm input, which is also the `input` OPA
// server is queried with. Also times one evaluation on this thread, without HTTP, for the
// "N times larger policy set" comparison.
import type { AdmissionReviewRequest } from '../src/admission/types';
import { loadConfig } from '../src/config/load';
import { loadBundle } from '../src/policy/bundle';
import { InlineEvaluator, serializeInput } from '../src/policy/engine';
import { applicablePolicies } from '../src/policy/match';
import { resolvePolicies } from '../src/policy/policy-set';

export interface EvalInput {
  /** The evaluation input as JSON text. */
  json: string;
  policies: number;
}

export async function evaluationInputs(
  configFile: string,
  reviews: Record<string, AdmissionReviewRequest>,
): Promise<Record<string, EvalInput>> {
  const config = await loadConfig({ file: configFile });
  const bundle = await loadBundle(config.bundle.source);
  const { policies } = resolvePolicies(bundle.policies, config);
  const out: Record<string, EvalInput> = {};
  for (const [name, review] of Object.entries(reviews)) {
    const applicable = applicablePolicies(policies, review.request);
    const bytes = serializeInput(review.request, applicable);
    out[name] = { json: new TextDecoder().decode(bytes), policies: applicable.length };
  }
  return out;
}

/** Mean microseconds per evaluation of `input` on one wasm instance (after a warm-up). */
export async function evaluationMicros(
  bundleDir: string,
  input: EvalInput,
  iterations = 1000,
): Promise<number> {
  const bundle = await loadBundle(bundleDir);
  const engine = new InlineEvaluator(bundle, { maxMemoryBytes: 64 * 1024 * 1024 });
  const bytes = new TextEncoder().encode(input.json);
  const fresh = () => bytes.slice().buffer as ArrayBuffer;
  for (let i = 0; i < Math.min(300, iterations); i++) engine.evaluateSync(fresh());
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) engine.evaluateSync(fresh());
  return Math.round(Number(process.hrtime.bigint() - start) / 1000 / iterations);
}
