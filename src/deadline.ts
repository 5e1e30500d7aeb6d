// One deadline per request: one timer, started when the request arrives, whose AbortSignal is
// handed to every stage that can wait (the byte budget, the evaluation). A stage that sees it
// abort rejects with the signal's reason (abortReason in errors.ts), a coded PAL_ERR_DEADLINE.
import { abortReason, PalisadeError } from './errors';

const deadlines = new WeakMap<AbortSignal, Deadline>();

export class Deadline {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly at: number;

  constructor(readonly ms: number) {
    this.signal = this.controller.signal;
    this.at = Date.now() + ms;
    deadlines.set(this.signal, this);
    // unref: a pending deadline never keeps a process (a CLI run, a test) alive.
    this.timer = setTimeout(() => this.expire(), ms).unref();
  }

  /** The request is answered: the timer is no longer needed. */
  dispose(): void {
    clearTimeout(this.timer);
  }

  /** Milliseconds left, by the clock (0 once past). */
  get remainingMs(): number {
    return Math.max(0, this.at - Date.now());
  }

  /** Past its time, even when the timer could not fire yet (the event loop was busy). */
  get passed(): boolean {
    return this.signal.aborted || Date.now() >= this.at;
  }

  expire(): void {
    if (!this.signal.aborted)
      this.controller.abort(new PalisadeError('PAL_ERR_DEADLINE', [this.ms]));
  }
}

/**
 * Throws the deadline's error when `signal` is past it, by the clock: work that blocked the event
 * loop (an evaluation on it, workers: 0) ends before the timer can fire, and must not pass as in
 * time.
 */
export function throwIfPast(signal: AbortSignal): void {
  const deadline = deadlines.get(signal);
  if (deadline?.passed) deadline.expire();
  if (signal.aborted) throw abortReason(signal);
}

/** The time left before `signal`'s deadline, or undefined for a signal no Deadline made. */
export function remainingMs(signal: AbortSignal): number | undefined {
  return deadlines.get(signal)?.remainingMs;
}
