// gator verify's --run filter (pkg/gator/verify/filter.go): `TEST//CASE`, two regular
// expressions, selects the cases matching CASE in the tests matching TEST; one expression alone
// selects the tests it matches (all their cases) and, in any test, the cases it matches.
import type { SuiteTest } from './suite';

export interface VerifyFilter {
  matchesTest(t: Pick<SuiteTest, 'name' | 'cases'>): boolean;
  matchesCase(testName: string, caseName: string): boolean;
}

export const everything: VerifyFilter = {
  matchesTest: () => true,
  matchesCase: () => true,
};

/** Throws an Error naming the bad expression. */
export function parseVerifyFilter(run: string | undefined): VerifyFilter {
  if (!run) return everything;
  const parts = run.split('//');
  if (parts.length > 2) throw new Error('--run: a filter may include at most one "//"');
  const re = (source: string) => {
    try {
      return new RegExp(source);
    } catch (thrown) {
      throw new Error(
        `--run: invalid regular expression ${JSON.stringify(source)}: ${(thrown as Error).message}`,
        { cause: thrown },
      );
    }
  };
  if (parts.length === 2) {
    const test = re(parts[0]!);
    const kase = re(parts[1]!);
    return {
      matchesTest: (t) => test.test(t.name),
      matchesCase: (testName, caseName) => test.test(testName) && kase.test(caseName),
    };
  }
  const either = re(parts[0]!);
  const matchesCase = (testName: string, caseName: string) =>
    either.test(caseName) || either.test(testName);
  return {
    matchesTest: (t) => either.test(t.name) || t.cases.some((c) => matchesCase(t.name, c.name)),
    matchesCase,
  };
}
