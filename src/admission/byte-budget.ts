// A bound on the request bytes being decoded and evaluated at once. A decoded AdmissionReview
// costs several times its bytes in heap (the parsed object, the serialized input, the copy in a
// worker's wasm memory), so many large bodies at once could exhaust memory; past the budget a
// request waits its turn instead. Waiters are served in arrival order, so a large one is not
// starved by a stream of small ones; one larger than the whole budget runs when nothing else
// does, so it is served (alone) rather than waiting forever.
import { abortReason } from '../errors';

interface Waiter {
  bytes: number;
  grant: (release: () => void) => void;
}

export class ByteBudget {
  private used = 0;
  private readonly queue: Waiter[] = [];

  /** `capacity` is read on every decision, so a config reload resizes the budget. */
  constructor(private readonly capacity: () => number) {}

  get inFlight(): number {
    return this.used;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Resolves with a release function once `bytes` fit. Rejects with the signal's reason when it
   * aborts first (the request's deadline).
   */
  acquire(bytes: number, signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    if (this.queue.length === 0 && this.fits(bytes)) return Promise.resolve(this.take(bytes));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.queue.splice(this.queue.indexOf(waiter), 1);
        reject(abortReason(signal));
        this.pump(); // the head may have left: the next one may fit now
      };
      const waiter: Waiter = {
        bytes,
        grant: (release) => {
          signal.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      this.queue.push(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private fits(bytes: number): boolean {
    return this.used === 0 || this.used + bytes <= this.capacity();
  }

  private take(bytes: number): () => void {
    this.used += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= bytes;
      this.pump();
    };
  }

  private pump(): void {
    while (this.queue.length > 0 && this.fits(this.queue[0]!.bytes)) {
      const next = this.queue.shift()!;
      next.grant(this.take(next.bytes));
    }
  }
}
