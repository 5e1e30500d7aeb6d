// POST /validate in the real Fastify server (buildServer), driven by app.inject() (no socket, no
// bundle: the snapshot is a stub, test/support/stub-snapshot.ts): the route decodes, runs the
// decision through the snapshot source, answers an AdmissionReview, logs one decision line and
// counts it; bodies that are not AdmissionReviews get the failure mode or a JSON error.
import { Writable } from 'node:stream';
import type { SnapshotSource } from '../../../src/admission/snapshot-source';
import { selfSigned } from '../../../src/certs/serving-cert';
import { createLogger } from '../../../src/logger';
import type { PolicySnapshot } from '../../../src/policy/snapshot';
import { buildServer, type App } from '../../../src/server/build-server';
import { Metrics } from '../../../src/server/metrics';
import { pod, review } from '../../fixtures/reviews';
import { stubEvaluator, stubSnapshot } from '../../support/stub-snapshot';

const tls = selfSigned(['127.0.0.1']);

interface Served {
  app: App;
  metrics: Metrics;
  logLines: () => Record<string, unknown>[];
  /** How many decisions ran through use(). */
  uses: () => number;
}

async function serve(
  snapshot: PolicySnapshot,
  namespaceLabels?: (ns: string) => Promise<Record<string, string> | undefined>,
): Promise<Served> {
  let log = '';
  const sink = new Writable({
    write(chunk, _enc, done) {
      log += chunk.toString();
      done();
    },
  });
  let uses = 0;
  const snapshots: SnapshotSource = {
    snapshot,
    use: (decide) => {
      uses++;
      return decide(snapshot);
    },
  };
  const metrics = new Metrics();
  const app = await buildServer(
    {
      snapshots,
      metrics,
      logger: createLogger('info', sink),
      isReady: () => true,
      ...(namespaceLabels && { namespaceLabels }),
    },
    { tls, keepAliveTimeoutMs: 5000, requestTimeoutMs: 10_000 },
  );
  return {
    app,
    metrics,
    uses: () => uses,
    logLines: () =>
      log
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const denying = () =>
  stubSnapshot(
    [{ id: 'no-latest' }],
    stubEvaluator(() => [{ policy: 'no-latest', msg: 'pin the tag', path: 'spec' }]),
  );

let served: Served | undefined;
afterEach(async () => {
  await served?.app.close();
  served = undefined;
});

const post = (s: Served, payload: unknown, contentType = 'application/json') =>
  s.app.inject({
    method: 'POST',
    url: '/validate',
    headers: { 'content-type': contentType },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });

describe('POST /validate', () => {
  it('answers the decision as an AdmissionReview, run through the snapshot source', async () => {
    served = await serve(denying());
    const res = await post(served, review(pod('web'), { uid: 'r-1' }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: {
        uid: 'r-1',
        allowed: false,
        status: {
          code: 403,
          reason: 'Forbidden',
          message: '1 violation of 1 policy:\n- [no-latest] spec: pin the tag.',
        },
      },
    });
    expect(served.uses()).toBe(1);
  });

  it('logs one decision line naming the request, the policies and the violations', async () => {
    served = await serve(denying());
    await post(served, review(pod('web'), { uid: 'r-2', username: 'bob' }));
    const lines = served.logLines().filter((l) => l.msg === 'admission decision');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      uid: 'r-2',
      kind: 'Pod',
      namespace: 'default',
      name: 'web',
      operation: 'CREATE',
      user: 'bob',
      dryRun: false,
      decision: 'deny',
      allowed: false,
      policies: ['no-latest'],
      violations: [{ policy: 'no-latest', action: 'deny', path: 'spec' }],
    });
    expect(typeof lines[0]!.durationMs).toBe('number');
  });

  it('counts the request, the decision and the violation', async () => {
    served = await serve(denying());
    await post(served, review(pod('web')));
    const text = await served.metrics.registry.metrics();
    expect(text).toContain(
      'palisade_admission_requests_total{operation="CREATE",kind="Pod",code="200"} 1',
    );
    expect(text).toContain('palisade_decisions_total{outcome="deny"} 1');
    expect(text).toContain('palisade_policy_violations_total{policy="no-latest",action="deny"} 1');
  });

  it('answers by the failure mode when deciding throws (here: the namespace lookup)', async () => {
    const snapshot = stubSnapshot(
      [{ id: 'prod', namespaceSelector: { matchLabels: { tier: 'production' } } }],
      stubEvaluator(),
    );
    served = await serve(snapshot, () => Promise.reject(new Error('lookup broke')));
    const res = await post(served, review(pod('web'), { uid: 'r-3' }));
    expect(res.statusCode).toBe(200);
    const response = res.json().response;
    expect(response).toMatchObject({ uid: 'r-3', allowed: false, status: { code: 500 } });
    expect(response.status.message).toContain('lookup broke');
    const line = served.logLines().find((l) => l.msg === 'admission decision');
    expect(line).toMatchObject({ decision: 'error', error: { code: 'PAL_ERR_INTERNAL' } });
  });
});

describe('bodies that are not AdmissionReviews', () => {
  it('answers a review that fails decoding but has a uid by the failure mode', async () => {
    served = await serve(denying());
    const body = review(pod('web'), { uid: 'r-4' });
    delete (body.request as { operation?: string }).operation;
    const res = await post(served, body);
    expect(res.statusCode).toBe(200);
    expect(res.json().response).toMatchObject({
      uid: 'r-4',
      allowed: false,
      status: {
        code: 500,
        message:
          'Palisade could not evaluate policies and failed closed: not a valid AdmissionReview: request.operation must be one of CREATE, UPDATE, DELETE, CONNECT',
      },
    });
    expect(served.uses()).toBe(0);
  });

  it.each([
    ['a JSON body with no uid', '{"kind":"AdmissionReview"}', 'application/json', 400],
    ['an empty JSON body', '', 'application/json', 400],
    ['a body that is not JSON', '{"kind":', 'application/json', 400],
    ['another content type', 'kind: AdmissionReview', 'text/plain', 415],
  ])('refuses %s with a JSON error', async (_name, payload, contentType, status) => {
    served = await serve(denying());
    const res = await post(served, payload, contentType);
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(
      status === 415 ? 'PAL_ERR_UNSUPPORTED_MEDIA' : 'PAL_ERR_BAD_REQUEST',
    );
    expect(served.uses()).toBe(0);
  });

  it('answers an unknown route with 404 and a JSON error', async () => {
    served = await serve(denying());
    const res = await served.app.inject({ method: 'GET', url: '/mutate' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: { code: 'PAL_ERR_NOT_FOUND', message: 'no route GET /mutate' },
    });
  });
});
