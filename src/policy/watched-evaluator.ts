// Evaluation on the event loop, still bounded by the request's deadline: the wasm runs inside a
// node:vm script with a timeout, whose watchdog thread asks V8 to terminate execution when the
// time left is up. V8's termination reaches compiled wasm as well (its loops and calls check for
// interrupts), so a runaway evaluation is cut at its deadline and answered by the failure mode,
// as a worker's is when piscina terminates it. This is what `evaluation.workers: 0` runs (and
// `auto` on a pod with one CPU): no thread hand-off per request, one isolate's memory instead of
// one per worker. The instance a termination cuts short is replaced before the next evaluation.
// Node only (node:vm): the playground's browser build uses the InlineEvaluator alone.
import { createContext, Script } from 'node:vm';
import { PalisadeError } from '../errors';
import { remainingMs, throwIfPast } from '../deadline';
import { InlineEvaluator, type Evaluator } from './engine';
import type { Bundle } from './bundle-bytes';
import type { Violation } from './violation';
import type { WasmLimits } from './wasm-runtime';

// The vm script only calls back into this realm: the evaluation itself is ordinary code.
const CALL = new Script('run()', { filename: 'palisade-evaluation' });

export class WatchedEvaluator implements Evaluator {
  private inline: InlineEvaluator;
  private inventory: string | undefined;
  private pending: (() => Violation[]) | undefined;
  private readonly context = createContext({ run: () => this.pending!() });

  constructor(
    private readonly bundle: Bundle,
    private readonly limits: WasmLimits,
    inline?: InlineEvaluator,
  ) {
    this.inline = inline ?? new InlineEvaluator(bundle, limits);
  }

  async setInventory(inventoryJson: string): Promise<void> {
    await this.inline.setInventory(inventoryJson);
    this.inventory = inventoryJson;
  }

  async evaluate(input: ArrayBuffer, signal: AbortSignal): Promise<Violation[]> {
    throwIfPast(signal);
    const ms = remainingMs(signal);
    const inline = this.inline;
    this.pending = () => inline.evaluateSync(input);
    try {
      // A signal no Deadline made (a caller's own AbortController) has no time bound to keep.
      const timeout = ms === undefined ? undefined : Math.max(1, Math.ceil(ms));
      return CALL.runInContext(
        this.context,
        timeout === undefined ? {} : { timeout },
      ) as Violation[];
    } catch (thrown) {
      if ((thrown as { code?: string }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw thrown;
      // Terminated mid-evaluation: the instance's memory is in an unknown state.
      await this.replaceInstance();
      throwIfPast(signal);
      // The watchdog fired a clock tick early: still the deadline's answer.
      throw new PalisadeError('PAL_ERR_DEADLINE', [String(Math.ceil(ms ?? 0))]);
    } finally {
      this.pending = undefined;
    }
  }

  async close(): Promise<void> {}

  private async replaceInstance(): Promise<void> {
    this.inline = new InlineEvaluator(this.bundle, this.limits);
    if (this.inventory !== undefined) await this.inline.setInventory(this.inventory);
  }
}
