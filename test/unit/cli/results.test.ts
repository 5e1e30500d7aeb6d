import { exitCode, type Level, type ObjectResult } from '../../../src/cli/results';
import { clean, denied, warned } from './report-fixture';

const audited: ObjectResult = { ...clean, violations: [denied.violations[2]!] };
const failed: ObjectResult = { ...clean, outcome: 'error', error: 'boom' };

const cases: [string, ObjectResult[], Level, number][] = [
  ['clean objects', [clean], 'deny', 0],
  ['a deny violation, --fail-on deny', [clean, denied], 'deny', 1],
  ['warnings only, --fail-on deny', [warned], 'deny', 0],
  ['warnings only, --fail-on warn', [warned], 'warn', 1],
  ['warnings only, --fail-on audit', [warned], 'audit', 1],
  ['an audit finding, --fail-on audit', [audited], 'audit', 1],
  ['an audit finding, --fail-on warn', [audited], 'warn', 0],
  ['an object not evaluated', [denied, failed], 'deny', 2],
];

describe('exitCode', () => {
  it.each(cases)('%s → %d', (_name, results, failOn, code) => {
    expect(exitCode(results, failOn)).toBe(code);
  });
});
