// One compiled-policy instance on a worker thread (the piscina worker, eval-worker.ts, and the
// synchronous one, sync-eval-worker.ts): data applied once per generation, errors as values (a
// structured clone of an Error would lose its code), a fresh instance after a failed evaluation.
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

export class WorkerInstance {
  private policy: WasmPolicy;
  /** The generation of the data this instance holds; 0 = the data it was created with. */
  private applied = 0;

  constructor(private readonly init: EvalWorkerData) {
    this.policy = this.create();
  }

  /**
   * Evaluates `input`, first applying `data` (copied: setData takes an ArrayBuffer, a
   * SharedArrayBuffer would be JSON-stringified) unless its generation is the one applied.
   */
  evaluate(input: ArrayBuffer, data?: { generation: number; bytes: ArrayBufferLike }): EvalReply {
    try {
      if (data && data.generation !== this.applied) {
        this.policy.setData(new Uint8Array(data.bytes).slice().buffer);
        this.applied = data.generation;
      }
      return { violations: toViolations(this.policy.evaluate(input)) };
    } catch (thrown) {
      // The instance may be mid-way through an aborted evaluation; start a clean one (its data
      // is the one it was created with again: the next task applies the inventory anew).
      this.policy = this.create();
      this.applied = 0;
      const err =
        thrown instanceof PalisadeError
          ? thrown
          : new PalisadeError('PAL_ERR_WASM_EVAL', [describeThrown(thrown)]);
      return { error: { code: err.code, message: err.message } };
    }
  }

  private create(): WasmPolicy {
    return WasmPolicy.instantiate(
      this.init.module,
      ENTRYPOINT,
      { maxMemoryBytes: this.init.maxMemoryBytes },
      this.init.data,
    );
  }
}
