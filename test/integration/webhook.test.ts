// The webhook over real HTTPS, on the real compiled bundle, table-driven over AdmissionReviews.
import { container, deployment, pod, review, secret } from '../fixtures/reviews';
import { startHarness, type Harness } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    exemptions: { namespaces: ['kube-system'] },
    policies: { 'disallow-latest-tag': { action: 'audit' } },
  });
});
afterAll(() => h.close());

const privileged = () => [container({ privileged: true })];
const PRIV_MSG = (path: string) =>
  '1 violation of 1 policy:\n' +
  `- [disallow-privileged] ${path}: privileged (container "app" must not set securityContext.privileged=true). ` +
  'Fix: remove securityContext.privileged or set it to false.';

describe('POST /validate decisions', () => {
  it('allows a compliant Pod and echoes uid and apiVersion', async () => {
    const r = review(pod('web'));
    const res = await h.post(r);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: r.request.uid, allowed: true },
    });
  });

  it.each([
    [
      'a privileged Pod',
      review(pod('web', privileged())),
      'spec.containers[0].securityContext.privileged',
    ],
    [
      'a Deployment with a privileged pod template',
      review(deployment('web', privileged())),
      'spec.template.spec.containers[0].securityContext.privileged',
    ],
    [
      "an UPDATE of a privileged Pod's image",
      review(pod('web', privileged()), {
        operation: 'UPDATE',
        oldObject: pod('web', [
          container({ privileged: true, image: 'registry.example.com/app:1.4.1' }),
        ]),
      }),
      'spec.containers[0].securityContext.privileged',
    ],
    [
      'a dry-run create of a privileged Pod (same decision)',
      review(pod('web', privileged()), { dryRun: true }),
      'spec.containers[0].securityContext.privileged',
    ],
  ])('denies %s with the exact message', async (_name, r, path) => {
    const res = (await h.post(r)).json();
    expect(res.response).toEqual({
      uid: r.request.uid,
      allowed: false,
      status: { code: 403, reason: 'Forbidden', message: PRIV_MSG(path) },
    });
  });

  it("admits a privileged Pod's metadata-only UPDATE, as Pod Security Admission does", async () => {
    const before = pod('web', privileged());
    const after = { ...before, metadata: { ...before.metadata, labels: { team: 'a' } } };
    const r = review(after, { operation: 'UPDATE', oldObject: before });
    expect((await h.post(r)).json().response).toEqual({ uid: r.request.uid, allowed: true });
    // A Deployment is judged on every UPDATE: its template makes the next Pods.
    const d = deployment('api', privileged());
    const relabelled = { ...d, metadata: { ...d.metadata, labels: { team: 'a' } } };
    const rd = review(relabelled, { operation: 'UPDATE', oldObject: d });
    expect((await h.post(rd)).json().response.allowed).toBe(false);
  });

  it('allows DELETE without evaluating pod policies', async () => {
    const r = review(null, { operation: 'DELETE', oldObject: pod('web', privileged()) });
    expect((await h.post(r)).json().response).toEqual({ uid: r.request.uid, allowed: true });
  });

  it('shows warn-action violations as warnings and admits the object', async () => {
    const r = review(pod('web', [container({ limits: null })]));
    const res = (await h.post(r)).json().response;
    expect(res.allowed).toBe(true);
    expect(res.warnings).toEqual([
      '[require-resource-limits] resource limits (container "app" must set resources.limits.cpu, resources.limits.memory)',
    ]);
  });

  it('records audit-action violations as audit annotations only', async () => {
    const r = review(pod('web', [container({ image: 'nginx:latest' })]));
    const res = (await h.post(r)).json().response;
    expect(res.allowed).toBe(true);
    expect(res.warnings).toBeUndefined();
    expect(Object.keys(res.auditAnnotations)).toEqual(['disallow-latest-tag']);
    expect(res.auditAnnotations['disallow-latest-tag']).toContain('spec.containers[0].image');
  });

  it('never evaluates an exempt namespace', async () => {
    const r = review(pod('web', privileged()), { namespace: 'kube-system' });
    expect((await h.post(r)).json().response).toEqual({ uid: r.request.uid, allowed: true });
    const line = h.logLines().find((l) => l.uid === r.request.uid);
    expect(line).toMatchObject({
      decision: 'exempt',
      policies: [],
      exemptReason: 'namespace kube-system is exempt',
    });
  });

  it('logs one decision line per request with who, what and the outcome', async () => {
    const r = review(deployment('api', privileged()), { username: 'bob' });
    await h.post(r);
    const lines = h.logLines().filter((l) => l.uid === r.request.uid);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: 'admission decision',
      kind: 'Deployment',
      namespace: 'default',
      name: 'api',
      operation: 'CREATE',
      user: 'bob',
      decision: 'deny',
      allowed: false,
      policies: ['disallow-latest-tag', 'disallow-privileged', 'require-resource-limits'],
    });
    expect(typeof lines[0]!.durationMs).toBe('number');
  });

  it('never writes Secret data to the log', async () => {
    const r = review(secret('db', { password: 'c3VwZXJzZWNyZXQtdmFsdWU=' }), { dryRun: true });
    expect((await h.post(r)).status).toBe(200);
    h.deps.logger.debug({ review: r }, 'debug dump of a review');
    expect(h.logText()).not.toContain('c3VwZXJzZWNyZXQtdmFsdWU=');
    expect(h.logText()).toContain('[REDACTED]');
  });
});

describe('POST /validate bad input', () => {
  const body = JSON.stringify(review(pod('web')));
  it.each([
    [
      'a non-JSON content type',
      body,
      { 'content-type': 'text/plain' },
      415,
      'PAL_ERR_UNSUPPORTED_MEDIA',
    ],
    [
      'malformed JSON',
      '{"apiVersion":',
      { 'content-type': 'application/json' },
      400,
      'PAL_ERR_BAD_REQUEST',
    ],
    ['an empty body', '', { 'content-type': 'application/json' }, 400, 'PAL_ERR_BAD_REQUEST'],
    [
      'JSON that is not an AdmissionReview',
      '{"kind":"Pod"}',
      { 'content-type': 'application/json' },
      400,
      'PAL_ERR_BAD_REQUEST',
    ],
    [
      'a review without request.uid',
      JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: { kind: { kind: 'Pod' } },
      }),
      { 'content-type': 'application/json' },
      400,
      'PAL_ERR_BAD_REQUEST',
    ],
  ])('answers %s with a clean %s', async (_name, payload, headers, status, code) => {
    const res = await h.post(payload, headers);
    expect(res.status).toBe(status);
    expect(res.json().error.code).toBe(code);
  });

  it('names the missing uid', async () => {
    const res = await h.post({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: { kind: { kind: 'Pod' } },
    });
    expect(res.json().error.message).toBe('not a valid AdmissionReview: request.uid is missing');
  });

  it('answers a review with a readable uid that fails decoding by the failure mode, saying why', async () => {
    const r = review(pod('web'));
    const bad = { ...r, request: { ...r.request, operation: 'PATCH' } };
    const res = await h.post(bad);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: {
        uid: r.request.uid,
        allowed: false,
        status: {
          code: 500,
          reason: 'InternalError',
          message:
            'Palisade could not evaluate policies and failed closed: not a valid AdmissionReview: ' +
            'request.operation must be one of CREATE, UPDATE, DELETE, CONNECT',
        },
        warnings: [
          'Palisade failed closed: the request was refused because policies could not be evaluated',
        ],
      },
    });
    const line = h.logLines().find((l) => l.uid === r.request.uid);
    expect(line).toMatchObject({ decision: 'error', error: { code: 'PAL_ERR_BAD_REQUEST' } });
  });

  it('decides an object with a `__proto__` key (a valid ConfigMap key) as any other', async () => {
    const body = JSON.stringify(
      review({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'proto', namespace: 'default' },
        data: { a: '1' },
      }),
    ).replace('"data":{"a":"1"}', '"data":{"__proto__":"x","constructor":{"prototype":{}}}');
    const res = await h.post(body);
    expect(res.status).toBe(200);
    expect(res.json().response).toEqual({ uid: JSON.parse(body).request.uid, allowed: true });
  });

  it('answers a body over the limit with 413 and keeps serving', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(8 * 1024 * 1024) });
    const res = await h.post(big);
    expect(res.status).toBe(413);
    expect((await h.post(review(pod('after')))).status).toBe(200);
  });
});

describe('health and metrics', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await h.get('/healthz')).status).toBe(200);
    expect((await h.get('/readyz')).json()).toEqual({ status: 'ready' });
  });

  it('exposes request, latency, decision and violation metrics', async () => {
    await h.post(review(pod('web', privileged())));
    const text = (await h.get('/metrics')).text;
    expect(text).toMatch(
      /palisade_admission_requests_total\{operation="CREATE",kind="Pod",code="200"\} \d+/,
    );
    expect(text).toContain('palisade_admission_duration_seconds_bucket{le="0.001",outcome="deny"}');
    expect(text).toMatch(/palisade_decisions_total\{outcome="deny"\} \d+/);
    expect(text).toMatch(
      /palisade_policy_violations_total\{policy="disallow-privileged",action="deny"\} \d+/,
    );
    expect(text).toMatch(/palisade_errors_total\{code="PAL_ERR_BAD_REQUEST"\} \d+/);
  });
});
