import { exitCode } from '../../../src/cli/results';
import { clean, denied, warned } from './report-fixture';

describe('exitCode', () => {
  it.each([
    ['clean objects', [clean], 'deny', 0],
    ['a deny violation, --fail-on deny', [clean, denied], 'deny', 1],
    ['warnings only, --fail-on deny', [warned], 'deny', 0],
    ['warnings only, --fail-on warn', [warned], 'warn', 1],
    ['warnings only, --fail-on audit', [warned], 'audit', 1],
    [
      'an audit finding, --fail-on audit',
      [{ ...clean, violations: [{ ...denied.violations[2]! }] }],
      'audit',
      1,
    ],
    [
      'an audit finding, --fail-on warn',
      [{ ...clean, violations: [{ ...denied.violations[2]! }] }],
      'warn',
      0,
    ],
    [
      'an object not evaluated',
      [denied, { ...clean, outcome: 'error' as const, error: 'boom' }],
      'deny',
      2,
    ],
  ] as const)('%s → %d', (_name, results, failOn, code) => {
    expect(exitCode(results, failOn)).toBe(code);
  });
});
