// A piscina worker: holds one instance of the compiled policy and evaluates inputs posted to it.
import { workerData } from 'node:worker_threads';
import { WorkerInstance, type EvalReply, type EvalWorkerData } from './worker-instance';

export type { EvalReply, EvalWorkerData } from './worker-instance';

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

const instance = new WorkerInstance(workerData as EvalWorkerData);

export default function evaluate(task: EvalTask): EvalReply {
  return instance.evaluate(task.input, task.data);
}
