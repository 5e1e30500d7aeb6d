import { ByteBudget } from '../../../src/admission/byte-budget';
import { PalisadeError } from '../../../src/errors';

/** Lets every settled promise run its callbacks. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Tracks whether an acquire has been granted, without awaiting it. */
function track(p: Promise<() => void>) {
  const t: { release?: () => void; error?: unknown } = {};
  p.then(
    (release) => (t.release = release),
    (error: unknown) => (t.error = error),
  );
  return t;
}

const never = () => new AbortController().signal;

describe('ByteBudget', () => {
  it('grants what fits at once and counts it', async () => {
    const budget = new ByteBudget(() => 100);
    const a = track(budget.acquire(60, never()));
    const b = track(budget.acquire(40, never()));
    await flush();
    expect([a.release, b.release].every(Boolean)).toBe(true);
    expect(budget.inFlight).toBe(100);
  });

  it('makes a request past the budget wait until bytes are released, in arrival order', async () => {
    const budget = new ByteBudget(() => 100);
    const a = track(budget.acquire(90, never()));
    const big = track(budget.acquire(50, never()));
    const small = track(budget.acquire(5, never()));
    await flush();
    // small would fit, but waits behind big: a stream of small requests cannot starve a big one.
    expect([big.release, small.release]).toEqual([undefined, undefined]);
    expect(budget.waiting).toBe(2);
    a.release!();
    await flush();
    expect(Boolean(big.release) && Boolean(small.release)).toBe(true);
    expect(budget.inFlight).toBe(55);
  });

  it('serves a request larger than the whole budget alone, never deadlocking', async () => {
    const budget = new ByteBudget(() => 100);
    const a = track(budget.acquire(10, never()));
    const huge = track(budget.acquire(500, never()));
    const next = track(budget.acquire(10, never()));
    await flush();
    expect(huge.release).toBeUndefined();
    a.release!();
    await flush();
    expect(huge.release).toBeDefined();
    expect(next.release).toBeUndefined();
    huge.release!();
    await flush();
    expect(next.release).toBeDefined();
  });

  it("rejects a waiter with its signal's reason and lets the ones behind it in", async () => {
    const budget = new ByteBudget(() => 100);
    track(budget.acquire(60, never()));
    const deadline = new AbortController();
    const big = track(budget.acquire(50, deadline.signal));
    const small = track(budget.acquire(30, never()));
    await flush();
    const reason = new PalisadeError('PAL_ERR_DEADLINE', [300]);
    deadline.abort(reason);
    await flush();
    expect(big.error).toBe(reason);
    expect(small.release).toBeDefined();
    expect(budget.waiting).toBe(0);
  });

  it('refuses at once when the deadline has already passed', async () => {
    const budget = new ByteBudget(() => 100);
    const c = new AbortController();
    c.abort(new PalisadeError('PAL_ERR_DEADLINE', [1]));
    await expect(budget.acquire(1, c.signal)).rejects.toMatchObject({ code: 'PAL_ERR_DEADLINE' });
  });

  it('counts a release once, however often it is called', async () => {
    const budget = new ByteBudget(() => 100);
    const a = track(budget.acquire(70, never()));
    const b = track(budget.acquire(30, never()));
    await flush();
    a.release!();
    a.release!();
    expect(budget.inFlight).toBe(30);
    b.release!();
    expect(budget.inFlight).toBe(0);
  });

  it('follows a resized budget (config reload)', async () => {
    let capacity = 10;
    const budget = new ByteBudget(() => capacity);
    const a = track(budget.acquire(10, never()));
    const b = track(budget.acquire(10, never()));
    await flush();
    expect(b.release).toBeUndefined();
    capacity = 100;
    const c = track(budget.acquire(1, never()));
    a.release!();
    await flush();
    expect(Boolean(b.release) && Boolean(c.release)).toBe(true);
  });
});
