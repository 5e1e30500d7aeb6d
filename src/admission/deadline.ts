// One deadline per request: one timer, started when the request arrives, whose AbortSignal is
// handed to every stage that can wait (the byte budget, the evaluation). A stage that sees it
// abort rejects with the signal's reason (abortReason in errors.ts), a coded PAL_ERR_DEADLINE.
import { PalisadeError } from '../errors';

export class Deadline {
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(readonly ms: number) {
    this.signal = this.controller.signal;
    // unref: a pending deadline never keeps a process (a CLI run, a test) alive.
    this.timer = setTimeout(() => this.expire(), ms).unref();
  }

  /** The request is answered: the timer is no longer needed. */
  dispose(): void {
    clearTimeout(this.timer);
  }

  private expire(): void {
    this.controller.abort(new PalisadeError('PAL_ERR_DEADLINE', [this.ms]));
  }
}
