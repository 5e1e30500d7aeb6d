// Evaluation for `evaluation.workers: 0` (and `auto` on one CPU): one long-lived worker thread
// holds the policy instance, and the event loop hands it each input through shared memory and
// blocks in Atomics.wait for the reply, bounded by the request's remaining time. The event loop
// does no other work meanwhile (one CPU has no other core to give it), but there is no watchdog
// thread per call (the node:vm timeout started and joined one) and no event loop round trip on
// either side. Past the deadline the worker is terminated (V8 cuts the wasm) and a fresh one is
// started with the bundle's data and the current inventory; requests arriving while it starts
// wait for it, still bounded by their deadline.
// Inputs larger than the buffer grow it (posted to the worker on a MessagePort it reads
// synchronously); replies larger than it come back on that port.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  MessageChannel,
  receiveMessageOnPort,
  Worker,
  type MessagePort,
} from 'node:worker_threads';
import { abortReason, palisadeErrorWithMessage, PalisadeError, type ErrorCode } from '../errors';
import { remainingMs, throwIfPast } from '../deadline';
import { ENTRYPOINT, type Bundle } from './bundle';
import { withInventory } from './data-document';
import type { Evaluator } from './engine';
import type { Violation } from './violation';
import { WasmPolicy, type WasmLimits } from './wasm-runtime';
import type { EvalReply, EvalWorkerData } from './worker-instance';

/** Slot 0 of the control words: who acts next. */
export const IDLE = 0;
export const REQUEST = 1;
export const REPLY = 2;
/** The buffer is replaced by one posted on the port: the worker switches and waits on it. */
export const SWITCH = 3;
/** Control words (Int32) at the buffer's start: [state, byte length, reply kind]. */
export const HEADER_BYTES = 16;
/** Reply kinds: the violations JSON, the error JSON, or a reply posted on the port. */
export const KIND_VIOLATIONS = 0;
export const KIND_ERROR = 1;
export const KIND_ON_PORT = 2;

export interface SyncWorkerData extends EvalWorkerData {
  buffer: SharedArrayBuffer;
  port: MessagePort;
  /** data.inventory merged into the bundle's data, when one is set. */
  latest?: SyncData;
}

export interface SyncData {
  generation: number;
  bytes: ArrayBuffer;
}

/** What the event loop posts on the port before a request: a larger buffer, a new document. */
export interface SyncMessage {
  buffer?: SharedArrayBuffer;
  data?: SyncData;
}

/** The buffer's first size: inputs are the fields policies read (engine.ts serializeInput). */
export const INITIAL_BUFFER_BYTES = 256 * 1024;

interface Running {
  worker: Worker;
  port: MessagePort;
  buffer: SharedArrayBuffer;
  control: Int32Array;
  ready: Promise<void>;
  started: boolean;
  /** The data generation the worker holds. */
  generation: number;
}

const decoder = new TextDecoder();

export class SyncWorkerEvaluator implements Evaluator {
  private running: Running;
  private latest?: SyncData;
  private generation = 0;
  private closed = false;

  constructor(
    private readonly bundle: Bundle,
    private readonly limits: WasmLimits,
    private readonly bufferBytes = INITIAL_BUFFER_BYTES,
  ) {
    this.running = this.start();
  }

  /**
   * Proves the document fits the memory cap on this thread first (one instance, set once, then
   * dropped): throws PAL_ERR_WASM_MEMORY then, and the worker keeps the previous one. The worker
   * applies it before the next evaluation.
   */
  async setInventory(inventoryJson: string): Promise<void> {
    const document = withInventory(this.bundle.data, inventoryJson);
    WasmPolicy.instantiate(this.bundle.module, ENTRYPOINT, this.limits).setData(document);
    this.latest = { generation: ++this.generation, bytes: document };
  }

  async evaluate(input: ArrayBuffer, signal: AbortSignal): Promise<Violation[]> {
    if (this.closed) throw new PalisadeError('PAL_ERR_INTERNAL', ['the evaluator is closed']);
    throwIfPast(signal);
    let running = this.running;
    if (!running.started) {
      await untilReadyOrAborted(running.ready, signal);
      if (this.closed) throw new PalisadeError('PAL_ERR_INTERNAL', ['the evaluator is closed']);
      throwIfPast(signal);
      running = this.running;
      // Replaced while this one waited (another request's deadline): wait for that one.
      if (!running.started) return this.evaluate(input, signal);
    }
    if (this.latest && running.generation !== this.latest.generation) {
      running.port.postMessage({ data: this.latest } satisfies SyncMessage);
      running.generation = this.latest.generation;
    }
    if (HEADER_BYTES + input.byteLength > running.buffer.byteLength) this.grow(running, input);
    const { control, buffer } = running;
    new Uint8Array(buffer, HEADER_BYTES, input.byteLength).set(new Uint8Array(input));
    control[1] = input.byteLength;
    Atomics.store(control, 0, REQUEST);
    Atomics.notify(control, 0);
    // A signal no Deadline made (a caller's own AbortController) has no time bound to keep.
    const left = remainingMs(signal);
    const ms = left === undefined ? undefined : Math.max(1, Math.ceil(left));
    Atomics.wait(control, 0, REQUEST, ms);
    if (Atomics.load(control, 0) !== REPLY) {
      // Still evaluating at the deadline: the instance is cut short with its thread.
      this.replace(running);
      throwIfPast(signal);
      // Atomics.wait woke a clock tick early: still the deadline's answer.
      throw new PalisadeError('PAL_ERR_DEADLINE', [String(ms ?? 0)]);
    }
    const reply = readReply(running);
    Atomics.store(control, 0, IDLE);
    if ('error' in reply)
      throw palisadeErrorWithMessage(reply.error.code as ErrorCode, reply.error.message);
    return reply.violations;
  }

  async close(): Promise<void> {
    this.closed = true;
    const { worker, port } = this.running;
    port.close();
    await worker.terminate();
  }

  private start(): Running {
    const buffer = new SharedArrayBuffer(HEADER_BYTES + this.bufferBytes);
    const { port1, port2 } = new MessageChannel();
    const workerData: SyncWorkerData = {
      module: this.bundle.module,
      data: this.bundle.data,
      maxMemoryBytes: this.limits.maxMemoryBytes,
      buffer,
      port: port2,
      ...(this.latest ? { latest: this.latest } : {}),
    };
    const worker = new Worker(workerFile(), { workerData, transferList: [port2] });
    const running: Running = {
      worker,
      port: port1,
      buffer,
      control: new Int32Array(buffer, 0, 3),
      started: false,
      generation: this.latest?.generation ?? 0,
      ready: new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
        worker.once('exit', (code) => {
          reject(new PalisadeError('PAL_ERR_WASM_EVAL', [`evaluation worker exited (${code})`]));
          // A worker that could not start or died: the next evaluation waits for another.
          if (this.running === running && !this.closed) this.running = this.start();
        });
      }),
    };
    running.ready.then(
      () => (running.started = true),
      () => undefined,
    );
    return running;
  }

  private replace(running: Running): void {
    running.port.close();
    if (this.running === running && !this.closed) this.running = this.start();
    void running.worker.terminate();
  }

  /** A buffer that holds `input`, twice the size needed, posted for the worker to switch to. */
  private grow(running: Running, input: ArrayBuffer): void {
    const buffer = new SharedArrayBuffer(HEADER_BYTES + 2 * input.byteLength);
    running.port.postMessage({ buffer } satisfies SyncMessage);
    // Wakes the worker on the old buffer: it reads the port, then waits on the new one.
    Atomics.store(running.control, 0, SWITCH);
    Atomics.notify(running.control, 0);
    running.buffer = buffer;
    running.control = new Int32Array(buffer, 0, 3);
  }
}

function readReply(running: Running): EvalReply {
  const { control, buffer } = running;
  const kind = control[2];
  if (kind === KIND_ON_PORT) return receiveMessageOnPort(running.port)!.message as EvalReply;
  const text = decoder.decode(new Uint8Array(buffer, HEADER_BYTES, control[1]).slice());
  const value: unknown = JSON.parse(text);
  return kind === KIND_ERROR
    ? { error: value as { code: string; message: string } }
    : { violations: value as Violation[] };
}

async function untilReadyOrAborted(ready: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) throw abortReason(signal);
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([ready, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** The compiled worker module (under ts-jest, the build output: see pool-evaluator.ts). */
function workerFile(): string {
  const beside = join(__dirname, 'sync-eval-worker.js');
  return existsSync(beside)
    ? beside
    : resolve(__dirname, '../../dist/src/policy/sync-eval-worker.js');
}
