// A piscina worker: holds one instance of the compiled policy and evaluates inputs posted to it.
// Errors come back as values: a structured clone of an Error would lose its code.
import { workerData } from 'node:worker_threads';
import { describeThrown, PalisadeError } from '../errors';
import { ENTRYPOINT } from './bundle';
import { toViolations, type Violation } from './violation';
import { WasmPolicy } from './wasm-runtime';

export interface EvalWorkerData {
  module: WebAssembly.Module;
  data?: ArrayBuffer;
  maxMemoryBytes: number;
}

export type EvalReply = { violations: Violation[] } | { error: { code: string; message: string } };

const init = workerData as EvalWorkerData;
let policy = create();

function create(): WasmPolicy {
  return WasmPolicy.instantiate(
    init.module,
    ENTRYPOINT,
    { maxMemoryBytes: init.maxMemoryBytes },
    init.data,
  );
}

export default function evaluate(input: ArrayBuffer): EvalReply {
  try {
    return { violations: toViolations(policy.evaluate(input)) };
  } catch (thrown) {
    // The instance may be mid-way through an aborted evaluation; start a clean one.
    policy = create();
    const err =
      thrown instanceof PalisadeError
        ? thrown
        : new PalisadeError('PAL_ERR_WASM_EVAL', [describeThrown(thrown)]);
    return { error: { code: err.code, message: err.message } };
  }
}
