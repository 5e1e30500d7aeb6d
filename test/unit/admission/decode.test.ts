import {
  decodeAdmissionReview,
  replyAddress,
  replyAddressInPrefix,
} from '../../../src/admission/decode';
import { PalisadeError } from '../../../src/errors';
import { pod, review } from '../../fixtures/reviews';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof PalisadeError ? err.code : 'not coded';
  }
  return undefined;
}

describe('decodeAdmissionReview', () => {
  it('accepts a review the apiserver sends', () => {
    const r = review(pod('web'));
    expect(decodeAdmissionReview(JSON.parse(JSON.stringify(r))).request.uid).toBe(r.request.uid);
  });

  it('defaults a missing userInfo to an empty object', () => {
    const r = JSON.parse(JSON.stringify(review(pod('web'))));
    delete r.request.userInfo;
    expect(decodeAdmissionReview(r).request.userInfo).toEqual({});
  });

  const valid = () => JSON.parse(JSON.stringify(review(pod('web'))));
  it.each([
    ['a JSON array', () => []],
    ['a string', () => 'hello'],
    ['null', () => null],
    ['another kind', () => ({ ...valid(), kind: 'Pod' })],
    ['a wrong apiVersion', () => ({ ...valid(), apiVersion: 'v1' })],
    ['no request', () => ({ ...valid(), request: undefined })],
    ['no uid', () => ({ ...valid(), request: { ...valid().request, uid: undefined } })],
    ['an empty uid', () => ({ ...valid(), request: { ...valid().request, uid: '' } })],
    ['no kind', () => ({ ...valid(), request: { ...valid().request, kind: undefined } })],
    [
      'a bad operation',
      () => ({ ...valid(), request: { ...valid().request, operation: 'PATCH' } }),
    ],
    [
      'an object that is a string',
      () => ({ ...valid(), request: { ...valid().request, object: 'x' } }),
    ],
  ])('refuses %s with PAL_ERR_BAD_REQUEST', (_name, body) => {
    expect(codeOf(() => decodeAdmissionReview(body()))).toBe('PAL_ERR_BAD_REQUEST');
  });

  it('names the missing field in the message', () => {
    expect(() =>
      decodeAdmissionReview({ ...valid(), request: { ...valid().request, uid: undefined } }),
    ).toThrow(/request\.uid/);
  });
});

describe('replyAddress', () => {
  it.each([
    [
      'a review with a uid',
      { apiVersion: 'admission.k8s.io/v1', request: { uid: 'u1' } },
      { uid: 'u1', apiVersion: 'admission.k8s.io/v1' },
    ],
    [
      'a foreign apiVersion (not echoed)',
      { apiVersion: 'v1', request: { uid: 'u1' } },
      { uid: 'u1', apiVersion: undefined },
    ],
    ['an empty uid', { request: { uid: '' } }, undefined],
    ['a numeric uid', { request: { uid: 7 } }, undefined],
    ['no request', { kind: 'AdmissionReview' }, undefined],
  ])('for %s', (_name, body, to) => {
    expect(replyAddress(body)).toEqual(to);
  });
});

describe('replyAddressInPrefix', () => {
  it("reads the uid where the apiserver writes it, from a body's first bytes", () => {
    const head = JSON.stringify(review(pod('web'), { uid: 'a"b\\c' })).slice(0, 160);
    expect(replyAddressInPrefix(head)).toEqual({
      uid: 'a"b\\c',
      apiVersion: 'admission.k8s.io/v1',
    });
  });

  it('finds none when the uid is not first in request, or is cut', () => {
    expect(replyAddressInPrefix('{"request":{"kind":{},"uid":"u"}}')).toBeUndefined();
    expect(replyAddressInPrefix('{"request":{"uid":"abc')).toBeUndefined();
  });
});
