// Gatekeeper's own engine beside Palisade's on the same gator suites: every Suite under
// test/fixtures/gatekeeper (the PSS baseline set, and the verify fixtures, which must therefore
// stay valid for gator) run by the real `gator verify` (.tools/bin/gator, pinned, built by
// `bash scripts/tools.sh gator`) and by `palisade verify`, which must agree case by case — as
// written, and with every assertion inverted, where both must fail every case; and for each
// case's object, the messages of Palisade's violations (the ones `palisade verify` asserts on)
// must be the messages `gator test` prints for that object; and `palisade eval` of all the PSS
// templates, constraints and case objects at once must find what `gator test` finds.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse, stringify } from 'yaml';
import { decodeAdmissionReview } from '../../src/admission/decode';
import { handleAdmission } from '../../src/admission/handler';
import { findSuites, type FoundSuites } from '../../src/gatekeeper/suite-discovery';
import type { VerifyFilter } from '../../src/gatekeeper/verify-filter';
import { runSuites, type ReviewCase } from '../../src/gatekeeper/verify-run';
import { Opa, pinnedOpaPath } from '../../src/policy/build/opa';
import type { KubeObject } from '../../src/policy/request';
import { parseDocuments } from '../../src/policy/source/yaml';
import {
  gator,
  gatorTest,
  parseGatorVerify,
  requireGator,
  type CaseOutcome,
} from '../support/gator';
import { palisade, ROOT } from './cli-run';

const SUITES = 'test/fixtures/gatekeeper';

beforeAll(() => {
  requireGator();
});

interface PalisadeJson {
  suites: {
    path: string;
    error?: string;
    skipped?: boolean;
    tests: {
      name: string;
      error?: string;
      skipped?: boolean;
      cases: { name: string; passed: boolean; skipped?: boolean }[];
    }[];
  }[];
}

/** "suite :: test" → outcome and "suite :: test :: case" → outcome, from palisade verify. */
function palisadeOutcomes(out: PalisadeJson): Record<string, CaseOutcome> {
  const rows: Record<string, CaseOutcome> = {};
  for (const s of out.suites) {
    for (const t of s.tests) {
      const failed = t.error !== undefined || t.cases.some((c) => !c.passed);
      rows[`${s.path} :: ${t.name}`] = t.skipped ? 'skipped' : failed ? 'failed' : 'passed';
      for (const c of t.cases) {
        rows[`${s.path} :: ${t.name} :: ${c.name}`] = c.skipped
          ? 'skipped'
          : c.passed
            ? 'passed'
            : 'failed';
      }
    }
  }
  return rows;
}

/**
 * The same rows from `gator verify -v`. A test gator could not run (its template does not
 * compile) prints no case lines: its cases count as failed, as palisade verify lists them.
 */
async function gatorOutcomes(
  dir: string,
  found: FoundSuites,
): Promise<Record<string, CaseOutcome>> {
  const run = await gator(['verify', '-v', `${dir}/...`]);
  const results = parseGatorVerify(run.stdout);
  const rows: Record<string, CaseOutcome> = {};
  for (const suite of found.suites) {
    const tests = results.get(suite.path);
    if (!tests) throw new Error(`gator verify printed no result for ${suite.path}:\n${run.stdout}`);
    for (const t of suite.tests) {
      const r = tests.get(t.name);
      const outcome = r?.outcome ?? (t.skip || suite.skip ? 'skipped' : 'failed');
      rows[`${suite.path} :: ${t.name}`] = outcome;
      for (const c of t.cases) {
        rows[`${suite.path} :: ${t.name} :: ${c.name}`] =
          r?.cases.get(c.name) ?? (outcome === 'skipped' ? 'skipped' : 'failed');
      }
    }
  }
  return rows;
}

async function palisadeVerify(dir: string): Promise<Record<string, CaseOutcome>> {
  const run = await palisade(['verify', dir, '--format', 'json']);
  if (run.code !== 0 && run.code !== 1 && run.code !== 2) throw new Error(run.stderr);
  return palisadeOutcomes(JSON.parse(run.stdout) as PalisadeJson);
}

const count = (rows: Record<string, CaseOutcome>, outcome: CaseOutcome) =>
  Object.entries(rows).filter(([k, v]) => k.split(' :: ').length === 3 && v === outcome).length;

it('agrees with gator verify on every case of every suite under test/fixtures/gatekeeper', async () => {
  const found = await findSuites(SUITES);
  expect(found.unreadable).toEqual([]);
  const expected = await gatorOutcomes(SUITES, found);
  const actual = await palisadeVerify(SUITES);
  expect(actual).toEqual(expected);
  // Both outcomes are covered: the 61 PSS cases pass, the failing fixtures fail in both.
  expect(count(expected, 'passed')).toBeGreaterThanOrEqual(61);
  expect(count(expected, 'failed')).toBeGreaterThanOrEqual(2);
});

/** violations yes ↔ no, N → N + 1: an assertion that held now fails, and the other way round. */
function invert(a: { violations?: unknown; message?: string }) {
  const v = a.violations ?? 'yes';
  const inverted = v === 'yes' ? 'no' : v === 'no' ? 'yes' : Number(v) + 1;
  return { ...a, violations: inverted };
}

it('fails every case with gator when every assertion of the PSS suites is inverted', async () => {
  const work = mkdtempSync(join(tmpdir(), 'palisade-gator-'));
  try {
    const dir = join(work, 'pss-baseline');
    cpSync(join(ROOT, SUITES, 'pss-baseline'), dir, { recursive: true });
    for (const suite of (await findSuites(dir)).suites) {
      const doc = parse(readFileSync(suite.file, 'utf8')) as {
        tests: { cases: { assertions: object[] }[] }[];
      };
      for (const t of doc.tests) for (const c of t.cases) c.assertions = c.assertions.map(invert);
      writeFileSync(suite.file, stringify(doc));
    }
    const rel = relative(ROOT, dir);
    const found = await findSuites(rel);
    const expected = await gatorOutcomes(rel, found);
    expect(count(expected, 'passed')).toBe(0);
    expect(count(expected, 'failed')).toBeGreaterThanOrEqual(61);
    expect(await palisadeVerify(rel)).toEqual(expected);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

function objectsOf(file: string): KubeObject[] {
  return parseDocuments(file, readFileSync(file, 'utf8')).documents.map(
    (d) => d.object as KubeObject,
  );
}

const identity = (o: { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } }) =>
  `${String(o.kind)} ${String(o.metadata?.namespace ?? '')}/${String(o.metadata?.name)}`;

it("gives each case's object gator's violation messages", async () => {
  const found = await findSuites(SUITES);
  // palisade verify's runner, with the CLI's review (the webhook's handler), recording what each
  // case found: the filter is asked about each case just before the case runs.
  const names = found.suites.flatMap((s) =>
    s.tests.flatMap((t) => t.cases.map((c) => `${t.name}//${c.name}`)),
  );
  expect(new Set(names).size).toBe(names.length);
  let current = '';
  const filter: VerifyFilter = {
    matchesTest: () => true,
    matchesCase: (test, kase) => ((current = `${test}//${kase}`), true),
  };
  const seen = new Map<string, { object: KubeObject; messages: string[] }>();
  const review: ReviewCase = async (doc, snapshot, namespaceLabels) => {
    const decoded = decodeAdmissionReview(structuredClone(doc));
    const decision = await handleAdmission(decoded, snapshot, { namespaceLabels });
    if (decision.error) throw decision.error;
    const messages = decision.violations.map((v) => v.msg);
    const object = (decoded.request.object ?? decoded.request.oldObject) as KubeObject;
    seen.set(current, { object, messages });
    return messages;
  };
  await runSuites(found, { opa: new Opa(pinnedOpaPath()), review, filter });

  const compared: string[] = [];
  for (const suite of found.suites) {
    for (const t of suite.tests) {
      const constraint = t.constraint ? objectsOf(t.constraint)[0] : undefined;
      for (const c of t.cases) {
        const reviewed = seen.get(`${t.name}//${c.name}`);
        // gator test reviews objects, not AdmissionReviews (a DELETE case has no counterpart).
        const objects = c.object ? objectsOf(c.object) : [];
        if (!reviewed || objects.length !== 1 || objects[0]!.kind === 'AdmissionReview') continue;
        const object = objects[0]!;
        expect(identity(reviewed.object)).toBe(identity(object));
        const violations = await gatorTest([t.template!, t.constraint!, c.object!, ...c.inventory]);
        const fromGator = violations
          .filter((v) => identity(v.violatingObject) === identity(object))
          .filter((v) => v.constraint.metadata.name === constraint?.metadata?.name)
          .map((v) => v.msg);
        expect({
          case: `${suite.path} ${t.name}//${c.name}`,
          messages: [...reviewed.messages].sort(),
        }).toEqual({
          case: `${suite.path} ${t.name}//${c.name}`,
          messages: fromGator.sort(),
        });
        compared.push(`${t.name}//${c.name}`);
      }
    }
  }
  expect(compared.length).toBeGreaterThanOrEqual(61);
});

it('finds with palisade eval what gator test finds, all PSS templates on all their objects at once', async () => {
  const dir = join(SUITES, 'pss-baseline');
  const files = (await findSuites(dir)).suites.flatMap((s) =>
    s.tests.flatMap((t) => [t.template!, t.constraint!, ...t.cases.map((c) => c.object!)]),
  );
  const inputs = [...new Set(files)].map((f) => relative(ROOT, f)).sort();
  const fromGator = (await gatorTest(inputs))
    .map(
      (v) =>
        `${identity(v.violatingObject)} [${v.constraint.metadata.name}] ${v.enforcementAction}: ${v.msg}`,
    )
    .sort();
  const run = await palisade(['eval', ...inputs.flatMap((f) => ['-f', f]), '--format', 'json']);
  expect(run.stderr).toBe('');
  const { results } = JSON.parse(run.stdout) as {
    results: {
      kind: string;
      namespace?: string;
      name: string;
      violations: { policy: string; action: string; msg: string }[];
    }[];
  };
  const fromPalisade = results
    .flatMap((r) =>
      r.violations.map((v) => {
        const name = v.policy.slice(v.policy.indexOf('/') + 1);
        const who = identity({ kind: r.kind, metadata: { namespace: r.namespace, name: r.name } });
        return `${who} [${name}] ${v.action}: ${v.msg}`;
      }),
    )
    .sort();
  expect(fromPalisade).toEqual(fromGator);
  expect(fromGator.length).toBeGreaterThanOrEqual(30);
});
