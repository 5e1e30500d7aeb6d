// The request deadline: a runaway evaluation is abandoned, the request is answered by the
// failure mode, and the worker that ran it is replaced so the next request is served normally;
// the same deadline bounds the wait for the byte budget and an evaluation on the event loop.
import { once } from 'node:events';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pod, review } from '../fixtures/reviews';
import { startHarness, type Harness } from './harness';
import { buildSlowBundle } from './slow-policy';

const work = mkdtempSync(join(tmpdir(), 'palisade-deadline-'));
let h: Harness;

beforeAll(async () => {
  await buildSlowBundle(work);
  h = await startHarness({
    bundle: join(work, 'bundle'),
    failureMode: 'closed',
    evaluation: { deadlineMs: 300, workers: 1 },
    policies: { 'slow-pairs': { action: 'deny' } },
  });
});
afterAll(async () => {
  await h?.close();
  rmSync(work, { recursive: true, force: true });
});

function configMap(items: number) {
  const data = { items: Array.from({ length: items }, (_, i) => i) };
  return review({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'big', namespace: 'default' },
    data,
  });
}

it('abandons a runaway evaluation and answers by the failure mode', async () => {
  const r = configMap(20_000);
  const body = (await h.post(r)).json();
  expect(body.response.uid).toBe(r.request.uid);
  expect(body.response.allowed).toBe(false);
  expect(body.response.status.message).toBe(
    'Palisade could not evaluate policies and failed closed: policy evaluation exceeded its deadline of 300 ms',
  );
  const metrics = await h.deps.metrics.registry.metrics();
  expect(metrics).toMatch(/palisade_errors_total\{code="PAL_ERR_DEADLINE"\} 1/);
});

it('serves the next request on a fresh worker', async () => {
  const r = configMap(10);
  expect((await h.post(r)).json().response).toEqual({ uid: r.request.uid, allowed: true });
});

const CLOSED = 'Palisade could not evaluate policies and failed closed: ';

it('answers a late result of an evaluation on the event loop (workers: 0) as past the deadline', async () => {
  const inline = await startHarness({
    bundle: join(work, 'bundle'),
    evaluation: { deadlineMs: 50, workers: 0 },
    policies: { 'slow-pairs': { action: 'deny' } },
  });
  try {
    const r = configMap(2_000);
    const body = (await inline.post(r)).json();
    expect(body.response).toMatchObject({
      uid: r.request.uid,
      allowed: false,
      status: { message: `${CLOSED}policy evaluation exceeded its deadline of 50 ms` },
    });
  } finally {
    await inline.close();
  }
});

it('cuts a runaway evaluation on the event loop (workers: 0) at its deadline and serves the next one', async () => {
  // 200,000 items: 4e10 comparisons, far longer than any test may run, so an answer at all
  // proves the evaluation was terminated (src/policy/sync-worker-evaluator.ts), not awaited.
  const inline = await startHarness({
    bundle: join(work, 'bundle'),
    evaluation: { deadlineMs: 300, workers: 0, maxMemoryMiB: 256 },
    policies: { 'slow-pairs': { action: 'deny' } },
  });
  try {
    const r = configMap(200_000);
    const body = (await inline.post(r)).json();
    expect(body.response).toMatchObject({
      uid: r.request.uid,
      allowed: false,
      status: { message: `${CLOSED}policy evaluation exceeded its deadline of 300 ms` },
    });
    const next = configMap(10);
    expect((await inline.post(next)).json().response).toEqual({
      uid: next.request.uid,
      allowed: true,
    });
  } finally {
    await inline.close();
  }
});

describe('the in-flight byte budget', () => {
  let small: Harness;
  beforeAll(async () => {
    small = await startHarness({ evaluation: { deadlineMs: 300, maxInflightMiB: 1 } });
  });
  afterAll(() => small?.close());

  /**
   * A request that declares 2 MiB and sends no body holds the whole budget. `Expect:
   * 100-continue`: the server answers it only once its request has run its hooks (the budget is
   * taken), and the server runs in this process, so 'continue' proves it is held.
   */
  async function holdBudget(h: Harness = small) {
    const headers = {
      'content-type': 'application/json',
      'content-length': String(2 * 1024 * 1024),
      expect: '100-continue',
    };
    const req = request({
      host: '127.0.0.1',
      port: h.port,
      method: 'POST',
      path: '/validate',
      ca: h.tls.ca,
      headers,
      agent: false,
    });
    req.on('error', () => undefined); // destroyed below, on purpose
    await once(req, 'continue');
    return req;
  }

  it('answers a request that waited past its deadline by the failure mode, saying why', async () => {
    const holder = await holdBudget();
    const r = review(pod('waits'));
    const res = await small.post(r);
    holder.destroy();
    expect(res.status).toBe(200);
    expect(res.json().response).toEqual({
      uid: r.request.uid,
      allowed: false,
      status: {
        code: 500,
        reason: 'InternalError',
        message: `${CLOSED}Palisade is over its in-flight byte budget of 1 MiB: the request waited past its deadline of 300 ms`,
      },
      warnings: [
        'Palisade failed closed: the request was refused because policies could not be evaluated',
      ],
    });
    const metrics = await small.deps.metrics.registry.metrics();
    expect(metrics).toMatch(/palisade_errors_total\{code="PAL_ERR_OVERLOADED"\} 1/);
  });

  it('reports the bytes it holds in /metrics', async () => {
    const holder = await holdBudget();
    const held = (await small.get('/metrics')).text;
    holder.destroy();
    expect(held).toMatch(/^palisade_inflight_request_bytes 2097152$/m);
    expect(held).toMatch(/^palisade_inflight_waiting_requests 0$/m);
  });

  it('cuts a client that declares a body and stalls, and gets its budget back', async () => {
    const strict = await startHarness({
      server: { requestTimeoutMs: 1000 },
      evaluation: { deadlineMs: 300, maxInflightMiB: 1 },
    });
    let stalled: ClientRequest | undefined;
    try {
      stalled = await holdBudget(strict);
      const [res] = (await once(stalled, 'response')) as [IncomingMessage];
      expect(res.statusCode).toBe(408);
      const r = review(
        pod('after', [{ name: 'app', image: 'a:1', securityContext: { privileged: true } }]),
      );
      const after = (await strict.post(r)).json().response;
      expect(after).toMatchObject({ uid: r.request.uid, allowed: false, status: { code: 403 } });
    } finally {
      stalled?.destroy();
      await strict.close();
    }
    // Bounds the test only: without a request timeout the stalled request is never cut.
  }, 30_000);

  it('gets its budget back when a client goes away, and decides as before', async () => {
    const holder = await holdBudget();
    holder.destroy();
    const r = review(
      pod('after', [{ name: 'app', image: 'a:1', securityContext: { privileged: true } }]),
    );
    const res = (await small.post(r)).json().response;
    expect(res).toMatchObject({ uid: r.request.uid, allowed: false, status: { code: 403 } });
  });
});
