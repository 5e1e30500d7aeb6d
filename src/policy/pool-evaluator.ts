// Evaluates on a pool of worker threads: the event loop stays free for TLS and HTTP while the
// wasm runs on the other core(s), and an evaluation past its deadline is abandoned: the request's
// AbortSignal goes to piscina, which terminates the worker running it and starts a fresh one.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Piscina from 'piscina';
import { abortReason, palisadeErrorWithMessage, type ErrorCode } from '../errors';
import { ENTRYPOINT, type Bundle } from './bundle';
import type { Evaluator } from './engine';
import { withInventory } from './data-document';
import type { EvalData, EvalReply, EvalTask, EvalWorkerData } from './eval-worker';
import type { Violation } from './violation';
import { WasmPolicy, type WasmLimits } from './wasm-runtime';

export interface PoolOptions {
  threads: number;
}

export class PoolEvaluator implements Evaluator {
  private readonly pool: Piscina<EvalTask, EvalReply>;
  /**
   * data.inventory for the workers: piscina cannot address every worker, so each task carries
   * the current document (shared memory, not copied) and its generation; a worker applies it
   * with setData once, before the first task that brings a generation it has not seen (a worker
   * piscina starts afresh, after an abort, applies it too).
   */
  private data?: EvalData;
  private generation = 0;

  constructor(
    private readonly bundle: Bundle,
    private readonly limits: WasmLimits,
    opts: PoolOptions,
  ) {
    const workerData: EvalWorkerData = {
      module: bundle.module,
      data: bundle.data,
      maxMemoryBytes: limits.maxMemoryBytes,
    };
    this.pool = new Piscina({
      filename: workerFile(),
      minThreads: opts.threads,
      maxThreads: opts.threads,
      idleTimeout: Infinity,
      workerData,
      // Evaluation is short and CPU-bound: one task per worker at a time.
      concurrentTasksPerWorker: 1,
    });
  }

  /**
   * Proves the document fits the memory cap on this thread first (one instance, set once, then
   * dropped): a document no worker could load would otherwise fail every evaluation. Throws
   * PAL_ERR_WASM_MEMORY then, and the workers keep the previous one.
   */
  async setInventory(inventoryJson: string): Promise<void> {
    const document = withInventory(this.bundle.data, inventoryJson);
    WasmPolicy.instantiate(this.bundle.module, ENTRYPOINT, this.limits).setData(document);
    const merged = new Uint8Array(document);
    const bytes = new SharedArrayBuffer(merged.byteLength);
    new Uint8Array(bytes).set(merged);
    this.data = { generation: ++this.generation, bytes };
  }

  async evaluate(input: ArrayBuffer, signal: AbortSignal): Promise<Violation[]> {
    let reply: EvalReply;
    const task: EvalTask = this.data ? { input, data: this.data } : { input };
    try {
      reply = await this.pool.run(task, { transferList: [input], signal });
    } catch (thrown) {
      if (signal.aborted) throw abortReason(signal);
      throw thrown;
    }
    if ('error' in reply)
      throw palisadeErrorWithMessage(reply.error.code as ErrorCode, reply.error.message);
    return reply.violations;
  }

  /** Lets tasks already given to the pool finish, then stops its workers. */
  async close(): Promise<void> {
    await this.pool.close();
  }
}

/**
 * The compiled worker module. Under ts-jest this file runs from src/, where only the .ts exists;
 * worker threads need JavaScript, so fall back to the build output (npm run build runs first).
 */
function workerFile(): string {
  const beside = join(__dirname, 'eval-worker.js');
  return existsSync(beside) ? beside : resolve(__dirname, '../../dist/src/policy/eval-worker.js');
}
