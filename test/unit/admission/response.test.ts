import { errored } from '../../../src/admission/response';

describe('errored', () => {
  it('keeps control characters out of the failed-open warning, which travels as a header', () => {
    const r = errored({ uid: 'u' }, 'bad name "a\r\nWarning: 299 - x"', 'open');
    expect(r.response.warnings).toEqual([
      'Palisade could not evaluate policies and failed open: bad name "a Warning: 299 - x"',
    ]);
  });
});
