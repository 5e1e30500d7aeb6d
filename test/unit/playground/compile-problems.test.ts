// opa's messages about an edited policy, as the page lists them: with the edited file's line.
import { PolicyBuildError, ToolError } from '../../../src/policy/build/build-error';
import { problemsOf } from '../../../src/cli/playground/compile-policy';

const WORK = '/tmp/palisade-playground-x';
const EDITED = 'disallow-privileged/policy.rego';

describe('problemsOf', () => {
  it('reads opa parse’s JSON errors: the edited file’s line, other files named', () => {
    const json = JSON.stringify({
      errors: [
        {
          message: 'unexpected } token',
          code: 'rego_parse_error',
          location: { file: 'policies/disallow-privileged/policy.rego', row: 5, col: 1 },
        },
        { message: 'bad', code: 'rego_type_error', location: { file: 'lib/x.rego', row: 2 } },
      ],
    });
    expect(problemsOf(new ToolError(`opa parse failed: ${json}`), WORK, EDITED)).toEqual([
      { line: 5, message: 'rego_parse_error: unexpected } token' },
      { message: 'lib/x.rego:2: rego_type_error: bad' },
    ]);
  });

  it('reads opa build’s text problems, without the work directory', () => {
    const thrown = new PolicyBuildError('opa build failed', [
      `1 error occurred: ${WORK}/policies/disallow-privileged/policy.rego:4: rego_type_error: upper: arity mismatch`,
      '  have: (number)',
    ]);
    expect(problemsOf(thrown, WORK, EDITED)).toEqual([
      {
        line: 4,
        message:
          '1 error occurred: policies/disallow-privileged/policy.rego:4: rego_type_error: upper: arity mismatch',
      },
      { message: 'have: (number)' },
    ]);
  });

  it('keeps a message that names no line', () => {
    expect(problemsOf(new ToolError('opa not found'), WORK, EDITED)).toEqual([
      { message: 'opa not found' },
    ]);
  });
});
