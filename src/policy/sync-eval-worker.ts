// The worker of sync-worker-evaluator.ts: one instance of the compiled policy, evaluating
// requests handed over in shared memory. It never returns to its event loop: it blocks in
// Atomics.wait until the event loop posts a request, evaluates, writes the reply, notifies, and
// waits again. What does not fit the shared buffer (a larger buffer, a new data document, a reply
// too long) travels by a MessagePort read synchronously (receiveMessageOnPort).
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import {
  HEADER_BYTES,
  IDLE,
  KIND_ERROR,
  KIND_ON_PORT,
  KIND_VIOLATIONS,
  REPLY,
  REQUEST,
  type SyncMessage,
  type SyncWorkerData,
} from './sync-worker-evaluator';
import { WorkerInstance } from './worker-instance';

const init = workerData as SyncWorkerData;
const instance = new WorkerInstance(init);
const port = init.port;
let latest = init.latest;
let buffer = init.buffer;
let control = new Int32Array(buffer, 0, 3);
const encoder = new TextEncoder();

function drainPort(): void {
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    const message = m.message as SyncMessage;
    if (message.buffer) {
      buffer = message.buffer;
      control = new Int32Array(buffer, 0, 3);
    }
    if (message.data) latest = message.data;
  }
}

function serve(): never {
  for (;;) {
    // Asleep until the event loop moves the state on (it sets IDLE once it has read a reply).
    const state = Atomics.load(control, 0);
    if (state === IDLE || state === REPLY) {
      Atomics.wait(control, 0, state);
      continue;
    }
    drainPort();
    if (Atomics.load(control, 0) !== REQUEST) continue;
    const length = Atomics.load(control, 1);
    const input = new Uint8Array(buffer, HEADER_BYTES, length).slice().buffer;
    const reply = instance.evaluate(input, latest);
    const text = JSON.stringify('error' in reply ? reply.error : reply.violations);
    const room = new Uint8Array(buffer, HEADER_BYTES);
    const { read, written } = encoder.encodeInto(text, room);
    if (read === text.length) {
      control[1] = written;
      control[2] = 'error' in reply ? KIND_ERROR : KIND_VIOLATIONS;
    } else {
      port.postMessage(reply);
      control[2] = KIND_ON_PORT;
    }
    Atomics.store(control, 0, REPLY);
    Atomics.notify(control, 0);
  }
}

parentPort!.postMessage('ready');
serve();
