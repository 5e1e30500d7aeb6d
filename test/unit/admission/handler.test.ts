// The pure handler (AdmissionReview in, decision out) on a stub snapshot: which policies it
// sends to the evaluator and with what input, how violations become an answer by each policy's
// action, exemptions, namespace labels, and the failure mode when the evaluation fails. No
// bundle, no wasm: the evaluator is a stub (test/support/stub-snapshot.ts).
import { handleAdmission } from '../../../src/admission/handler';
import { Deadline } from '../../../src/deadline';
import { PalisadeError } from '../../../src/errors';
import { container, pod, review } from '../../fixtures/reviews';
import { stubEvaluator, stubSnapshot, type StubPolicy } from '../../support/stub-snapshot';

const DENY: StubPolicy = { id: 'no-root', parameters: { uid: 0 } };
const WARN: StubPolicy = { id: 'labels', action: 'warn' };
const AUDIT: StubPolicy = { id: 'probes', action: 'audit' };
const SECRETS: StubPolicy = { id: 'secrets-only', kinds: ['Secret'] };

describe('what reaches the evaluator', () => {
  it('evaluates the policies whose match selects the request, with their parameters', async () => {
    const evaluator = stubEvaluator();
    const snapshot = stubSnapshot([DENY, WARN, SECRETS], evaluator);
    const decision = await handleAdmission(review(pod('web'), { uid: 'u-1' }), snapshot);
    expect(decision.evaluated).toEqual(['no-root', 'labels']);
    expect(evaluator.inputs).toHaveLength(1);
    expect(evaluator.inputs[0]!.review.uid).toBe('u-1');
    expect(evaluator.inputs[0]!.policies).toEqual({
      'no-root': { parameters: { uid: 0 } },
      labels: { parameters: {} },
    });
  });

  it('allows without evaluating when no policy applies', async () => {
    const evaluator = stubEvaluator();
    const snapshot = stubSnapshot([SECRETS], evaluator);
    const decision = await handleAdmission(review(pod('web'), { uid: 'u-2' }), snapshot);
    expect(decision).toMatchObject({ outcome: 'allow', evaluated: [], violations: [] });
    expect(decision.review.response).toEqual({ uid: 'u-2', allowed: true });
    expect(evaluator.inputs).toEqual([]);
  });

  it('leaves out a policy that is off and one whose operations do not include the request', async () => {
    const evaluator = stubEvaluator();
    const snapshot = stubSnapshot(
      [{ id: 'off', action: 'off' }, { id: 'deletes', operations: ['DELETE'] }, DENY],
      evaluator,
    );
    const decision = await handleAdmission(review(pod('web')), snapshot);
    expect(decision.evaluated).toEqual(['no-root']);
  });

  it('answers an exempt namespace without evaluating, saying why', async () => {
    const evaluator = stubEvaluator();
    const snapshot = stubSnapshot([DENY], evaluator, { exemptions: { namespaces: ['kube-*'] } });
    const decision = await handleAdmission(
      review(pod('web'), { namespace: 'kube-system', uid: 'u-3' }),
      snapshot,
    );
    expect(decision).toMatchObject({
      outcome: 'exempt',
      exemptReason: 'namespace kube-system is exempt',
    });
    expect(decision.review.response).toEqual({ uid: 'u-3', allowed: true });
    expect(evaluator.inputs).toEqual([]);
  });
});

describe('violations by action', () => {
  const found = stubEvaluator((input) =>
    Object.keys(input.policies).map((policy) => ({
      policy,
      msg: `${policy} found`,
      path: 'spec.containers[0]',
      fix: 'fix it',
    })),
  );

  it('denies with 403 and one line per violation of a deny policy', async () => {
    const snapshot = stubSnapshot([DENY], found);
    const decision = await handleAdmission(review(pod('web'), { uid: 'u-4' }), snapshot);
    expect(decision.outcome).toBe('deny');
    expect(decision.violations.map((v) => [v.policy, v.action])).toEqual([['no-root', 'deny']]);
    expect(decision.review).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: {
        uid: 'u-4',
        allowed: false,
        status: {
          code: 403,
          reason: 'Forbidden',
          message:
            '1 violation of 1 policy:\n- [no-root] spec.containers[0]: no-root found. Fix: fix it.',
        },
      },
    });
  });

  it('allows with warnings for warn policies and audit annotations for audit policies', async () => {
    const snapshot = stubSnapshot([WARN, AUDIT], found);
    const decision = await handleAdmission(review(pod('web'), { uid: 'u-5' }), snapshot);
    expect(decision.outcome).toBe('allow');
    expect(decision.review.response).toEqual({
      uid: 'u-5',
      allowed: true,
      warnings: ['[labels] labels found (at spec.containers[0])'],
      auditAnnotations: { probes: 'spec.containers[0]: probes found' },
    });
  });

  it('drops a violation naming a policy that is not active', async () => {
    const stray = stubEvaluator(() => [{ policy: 'elsewhere', msg: 'not ours' }]);
    const decision = await handleAdmission(review(pod('web')), stubSnapshot([DENY], stray));
    expect(decision).toMatchObject({ outcome: 'allow', violations: [] });
  });

  it("echoes the request's uid and apiVersion", async () => {
    const r = review(pod('web', [container({ privileged: true })]), { uid: 'u-6' });
    const decision = await handleAdmission(
      { ...r, apiVersion: 'admission.k8s.io/v1beta1' },
      stubSnapshot([DENY], found),
    );
    expect(decision.review.apiVersion).toBe('admission.k8s.io/v1beta1');
    expect(decision.review.response.uid).toBe('u-6');
  });
});

describe('namespace labels', () => {
  const PROD_ONLY: StubPolicy = {
    id: 'prod-only',
    namespaceSelector: { matchLabels: { tier: 'production' } },
  };

  it.each([
    ['applies where the labels match', { tier: 'production' }, ['prod-only']],
    ['skips where they do not', { tier: 'development' }, []],
  ])('%s', async (_name, labels, evaluated) => {
    const asked: string[] = [];
    const namespaceLabels = async (ns: string) => {
      asked.push(ns);
      return labels;
    };
    const snapshot = stubSnapshot([PROD_ONLY], stubEvaluator());
    const decision = await handleAdmission(review(pod('web'), { namespace: 'shop' }), snapshot, {
      namespaceLabels,
    });
    expect(asked).toEqual(['shop']);
    expect(decision.evaluated).toEqual(evaluated);
    expect(decision.namespaceLabelsUnknown).toBeUndefined();
  });

  it('applies the policy when the labels cannot be known, and says so', async () => {
    const snapshot = stubSnapshot([PROD_ONLY], stubEvaluator());
    const decision = await handleAdmission(review(pod('web')), snapshot, {
      namespaceLabels: async () => undefined,
    });
    expect(decision.evaluated).toEqual(['prod-only']);
    expect(decision.namespaceLabelsUnknown).toBe(true);
  });

  it('asks for no labels when no policy has a namespaceSelector', async () => {
    const asked: string[] = [];
    const namespaceLabels = async (ns: string) => {
      asked.push(ns);
      return {};
    };
    await handleAdmission(review(pod('web')), stubSnapshot([DENY], stubEvaluator()), {
      namespaceLabels,
    });
    expect(asked).toEqual([]);
  });
});

describe('a failed evaluation', () => {
  const failing = stubEvaluator(() => {
    throw new Error('wasm trapped');
  });

  it('fails closed by default: refused with 500 and a warning', async () => {
    const decision = await handleAdmission(
      review(pod('web'), { uid: 'u-7' }),
      stubSnapshot([DENY], failing),
    );
    expect(decision.outcome).toBe('error');
    expect(decision.error?.code).toBe('PAL_ERR_WASM_EVAL');
    expect(decision.evaluated).toEqual(['no-root']);
    expect(decision.review.response).toEqual({
      uid: 'u-7',
      allowed: false,
      status: {
        code: 500,
        reason: 'InternalError',
        message:
          'Palisade could not evaluate policies and failed closed: policy evaluation failed: wasm trapped',
      },
      warnings: [
        'Palisade failed closed: the request was refused because policies could not be evaluated',
      ],
    });
  });

  it('fails open when the config says so: admitted, with a warning', async () => {
    const snapshot = stubSnapshot([DENY], failing, { failureMode: 'open' });
    const decision = await handleAdmission(review(pod('web'), { uid: 'u-8' }), snapshot);
    expect(decision.review.response).toEqual({
      uid: 'u-8',
      allowed: true,
      warnings: [
        'Palisade could not evaluate policies and failed open: policy evaluation failed: wasm trapped',
      ],
    });
  });

  it("answers by the failure mode once the request's deadline aborts the evaluation", async () => {
    const deadline = new Deadline(60_000);
    deadline.expire();
    const waiting = stubEvaluator(undefined, { untilAborted: true });
    const decision = await handleAdmission(review(pod('web')), stubSnapshot([DENY], waiting), {
      signal: deadline.signal,
    });
    deadline.dispose();
    expect(decision.error).toBeInstanceOf(PalisadeError);
    expect(decision.error?.code).toBe('PAL_ERR_DEADLINE');
    expect(decision.review.response.allowed).toBe(false);
    expect(decision.review.response.status?.message).toBe(
      'Palisade could not evaluate policies and failed closed: policy evaluation exceeded its deadline of 60000 ms',
    );
  });
});
