// An evaluation that fails for real (the wasm memory cap is hit) is answered by the failure mode,
// with a warning, as a valid AdmissionReview — never a dropped connection.
import { pod, review } from '../fixtures/reviews';
import { startHarness } from './harness';

// A Pod with 3 MiB of annotations: its input cannot fit in 2 MiB of wasm memory.
function hugePod() {
  const p = pod('huge');
  p.metadata!.annotations = { blob: 'x'.repeat(3 * 1024 * 1024) };
  return review(p);
}

describe.each([
  ['closed', false],
  ['open', true],
] as const)('failure mode %s', (failureMode, allowed) => {
  it(`answers allowed=${allowed} with a warning, and then serves normally`, async () => {
    const h = await startHarness({ failureMode, evaluation: { maxMemoryMiB: 2 } });
    try {
      const r = hugePod();
      const res = await h.post(r);
      expect(res.status).toBe(200);
      const body = res.json();
      expect(body.apiVersion).toBe('admission.k8s.io/v1');
      expect(body.response.uid).toBe(r.request.uid);
      expect(body.response.allowed).toBe(allowed);
      expect(body.response.warnings[0]).toMatch(new RegExp(`failed ${failureMode}`));
      if (failureMode === 'closed') {
        expect(body.response.status).toMatchObject({ code: 500, reason: 'InternalError' });
        expect(body.response.status.message).toMatch(/memory limit/);
      }
      const metrics = (await h.get('/metrics')).text;
      expect(metrics).toMatch(/palisade_errors_total\{code="PAL_ERR_WASM_MEMORY"\} 1/);
      const next = review(pod('small'));
      expect((await h.post(next)).json().response).toEqual({
        uid: next.request.uid,
        allowed: true,
      });
    } finally {
      await h.close();
    }
  });
});
