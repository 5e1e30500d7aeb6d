import { describeThrown, PalisadeError, toPalisadeError } from '../../src/errors';

describe('coded errors', () => {
  it.each([
    ['a string (as opa-wasm throws)', 'failed to parse json value', 'failed to parse json value'],
    [
      'a plain object with message',
      { message: 'not implemented: built-in function 3: time.now_ns' },
      'not implemented: built-in function 3: time.now_ns',
    ],
    ['an Error', new RangeError('Maximum memory size exceeded'), 'Maximum memory size exceeded'],
    ['a plain object without message', { code: 7 }, '{"code":7}'],
  ])('describes %s', (_name, thrown, text) => {
    expect(describeThrown(thrown)).toBe(text);
  });

  it('wraps anything thrown into a coded error, keeping the cause', () => {
    const err = toPalisadeError('abort: boom', 'PAL_ERR_WASM_EVAL');
    expect(err).toBeInstanceOf(PalisadeError);
    expect(err.code).toBe('PAL_ERR_WASM_EVAL');
    expect(err.status).toBe(500);
    expect(err.message).toBe('policy evaluation failed: abort: boom');
    expect(err.cause).toBe('abort: boom');
  });

  it('keeps a coded error as it is', () => {
    const err = new PalisadeError('PAL_ERR_BAD_REQUEST', ['x']);
    expect(toPalisadeError(err)).toBe(err);
    expect(err.status).toBe(400);
  });
});
