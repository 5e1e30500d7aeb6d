// gator's test suites (test.gatekeeper.sh/v1alpha1 Suite), read as gator reads them
// (pkg/gator/verify in open-policy-agent/gatekeeper): a Suite has tests (a template, a
// constraint, cases), a case an object, an optional inventory and assertions. Every path in a
// suite is relative to the suite's own file. Problems are reported with the file and the field,
// never skipped: a suite that cannot be read is a result of its own (verify.ts exits 2).
import { dirname, join } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { YAML_VERSION } from '../policy/source/yaml';

export const SUITE_GROUP = 'test.gatekeeper.sh';
export const SUITE_KIND = 'Suite';

/** `violations` of an assertion: at least one, none, or exactly N matching violations. */
export type ViolationCount = 'yes' | 'no' | number;

export interface Assertion {
  violations: ViolationCount;
  /** A regular expression the violation's message must match to count. */
  message?: string;
}

export interface SuiteCase {
  name: string;
  /** Absolute path of the file holding the object (or AdmissionReview) to review. */
  object?: string;
  /** Absolute paths of files whose objects go to data.inventory. */
  inventory: string[];
  assertions: Assertion[];
  skip: boolean;
  /** Why the case cannot run as written (no object, no assertions, a bad assertion). */
  problem?: string;
}

export interface SuiteTest {
  name: string;
  /** Absolute paths; undefined when the suite does not name one (the test then errors). */
  template?: string;
  constraint?: string;
  cases: SuiteCase[];
  /** The constraint is expected to be refused by the template's parameter schema. */
  invalid: boolean;
  skip: boolean;
  /** gator's `expansion` (ExpansionTemplates applied to the cases): unsupported, the test is skipped. */
  expansion?: string;
}

export interface Suite {
  /** The file as shown to the user (below the directory given on the command line). */
  path: string;
  /** The file's absolute path. */
  file: string;
  name?: string;
  skip: boolean;
  tests: SuiteTest[];
}

/**
 * Whether a parsed document is a Suite: gator checks the group and kind only (any version of
 * test.gatekeeper.sh), and silently ignores every other file.
 */
export function isSuiteDocument(doc: unknown): boolean {
  if (typeof doc !== 'object' || doc === null) return false;
  const { apiVersion, kind } = doc as Record<string, unknown>;
  return (
    kind === SUITE_KIND &&
    typeof apiVersion === 'string' &&
    apiVersion.split('/')[0] === SUITE_GROUP &&
    apiVersion.includes('/')
  );
}

/** The first YAML document of a file, as gator reads a suite (yaml.Unmarshal: the first one). */
export function firstDocument(text: string): { value?: unknown; error?: string } {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, {
    version: YAML_VERSION,
    prettyErrors: false,
    lineCounter: lines,
  });
  const first = (Array.isArray(docs) ? docs : [docs])[0];
  if (!first) return { value: null };
  if (first.errors.length > 0) {
    const e = first.errors[0]!;
    const at = ` (line ${(e.linePos?.[0] ?? lines.linePos(e.pos[0])).line})`;
    return { error: `invalid YAML${at}: ${e.message.split('\n')[0]}` };
  }
  return { value: first.toJS({ maxAliasCount: 100 }) };
}

/** A Suite from its parsed document. Throws an Error naming the field that is wrong. */
export function parseSuite(doc: unknown, file: string, shownAs: string): Suite {
  const o = asObject(doc, 'the suite');
  const dir = dirname(file);
  const tests = o.tests ?? [];
  if (!Array.isArray(tests)) throw new Error('tests: must be a list');
  const meta = o.metadata as Record<string, unknown> | undefined;
  return {
    path: shownAs,
    file,
    ...(typeof meta?.name === 'string' ? { name: meta.name } : {}),
    skip: flag(o.skip, 'skip'),
    tests: tests.map((t, i) => parseTest(t, `tests[${i}]`, dir)),
  };
}

function parseTest(value: unknown, at: string, dir: string): SuiteTest {
  const t = asObject(value, at);
  const cases = t.cases ?? [];
  if (!Array.isArray(cases)) throw new Error(`${at}.cases: must be a list`);
  const name = text(t.name, `${at}.name`) ?? '';
  return {
    name,
    ...pathField(t.template, `${at}.template`, dir, 'template'),
    ...pathField(t.constraint, `${at}.constraint`, dir, 'constraint'),
    invalid: flag(t.invalid, `${at}.invalid`),
    skip: flag(t.skip, `${at}.skip`),
    ...(t.expansion !== undefined ? { expansion: String(t.expansion) } : {}),
    cases: cases.map((c, i) => parseCase(c, `${at}.cases[${i}]`, dir)),
  };
}

function parseCase(value: unknown, at: string, dir: string): SuiteCase {
  const c = asObject(value, at);
  const inventory = c.inventory ?? [];
  if (!Array.isArray(inventory)) throw new Error(`${at}.inventory: must be a list of files`);
  const out: SuiteCase = {
    name: text(c.name, `${at}.name`) ?? '',
    ...pathField(c.object, `${at}.object`, dir, 'object'),
    inventory: inventory.map((p, i) => join(dir, text(p, `${at}.inventory[${i}]`) ?? '')),
    assertions: [],
    skip: flag(c.skip, `${at}.skip`),
  };
  const assertions = c.assertions ?? [];
  // As gator's runner: a case needs an object and at least one assertion; it fails otherwise.
  if (!Array.isArray(assertions)) throw new Error(`${at}.assertions: must be a list`);
  try {
    out.assertions = assertions.map((a, i) => parseAssertion(a, `${at}.assertions[${i}]`));
  } catch (thrown) {
    out.problem = (thrown as Error).message;
  }
  if (!out.problem && !out.object) out.problem = 'invalid test case: must define object';
  if (!out.problem && out.assertions.length === 0) {
    out.problem = 'invalid test case: assertions must be non-empty';
  }
  return out;
}

/**
 * One assertion. `violations` defaults to "yes"; YAML 1.1 reads an unquoted yes/no as a
 * boolean, which is taken as the word it was written as.
 */
export function parseAssertion(value: unknown, at: string): Assertion {
  const a = asObject(value, at);
  const message = text(a.message, `${at}.message`);
  if (message !== undefined) {
    try {
      new RegExp(message);
    } catch (thrown) {
      throw new Error(`${at}.message: invalid regular expression: ${(thrown as Error).message}`, {
        cause: thrown,
      });
    }
  }
  const v = a.violations;
  let violations: ViolationCount;
  if (v === undefined || v === null) violations = 'yes';
  else if (v === true || v === 'yes') violations = 'yes';
  else if (v === false || v === 'no') violations = 'no';
  else if (typeof v === 'number' && Number.isInteger(v) && v >= 0) violations = v;
  else if (typeof v === 'string' && /^\d+$/.test(v)) violations = Number(v);
  else {
    throw new Error(
      `${at}.violations: must be a nonnegative integer, "yes" or "no" (got ${JSON.stringify(v)})`,
    );
  }
  return { violations, ...(message !== undefined ? { message } : {}) };
}

function asObject(value: unknown, at: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${at}: must be a mapping`);
  }
  return value as Record<string, unknown>;
}

function text(value: unknown, at: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new Error(`${at}: must be a string`);
  return value;
}

function flag(value: unknown, at: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new Error(`${at}: must be true or false`);
  return value;
}

/** A path field, joined to the suite's directory as gator does (path.Join). */
function pathField<K extends string>(
  value: unknown,
  at: string,
  dir: string,
  key: K,
): Partial<Record<K, string>> {
  const p = text(value, at);
  return p ? ({ [key]: join(dir, p) } as Partial<Record<K, string>>) : {};
}
