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

/** data.inventory merged into the bundle's data (pool-evaluator.ts), with its generation. */
export interface EvalData {
  generation: number;
  bytes: SharedArrayBuffer;
}

/** One evaluation: the serialized input, and the data document in force when it was posted. */
export interface EvalTask {
  input: ArrayBuffer;
  data?: EvalData;
}

export type EvalReply = { violations: Violation[] } | { error: { code: string; message: string } };

const init = workerData as EvalWorkerData;
let policy = create();
/** The generation of the data this instance holds; 0 = the bundle's data.json alone. */
let applied = 0;

function create(): WasmPolicy {
  return WasmPolicy.instantiate(
    init.module,
    ENTRYPOINT,
    { maxMemoryBytes: init.maxMemoryBytes },
    init.data,
  );
}

export default function evaluate(task: EvalTask): EvalReply {
  try {
    if (task.data && task.data.generation !== applied) {
      // setData takes an ArrayBuffer (a SharedArrayBuffer would be JSON-stringified): copy it.
      policy.setData(new Uint8Array(task.data.bytes).slice().buffer);
      applied = task.data.generation;
    }
    return { violations: toViolations(policy.evaluate(task.input)) };
  } catch (thrown) {
    // The instance may be mid-way through an aborted evaluation; start a clean one (its data
    // is the bundle's again: the next task applies the inventory anew).
    policy = create();
    applied = 0;
    const err =
      thrown instanceof PalisadeError
        ? thrown
        : new PalisadeError('PAL_ERR_WASM_EVAL', [describeThrown(thrown)]);
    return { error: { code: err.code, message: err.message } };
  }
}
