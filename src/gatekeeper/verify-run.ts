// Runs gator suites (suite.ts) as gator's runner does (pkg/gator/verify/runner.go), on Palisade's
// engine: every distinct template of the run is compiled once (all of them in one opa build, see
// verify-templates.ts), each test's constraint becomes the one policy of a snapshot over that
// bundle, and each case's object is reviewed as the AdmissionRequest the apiserver would send
// (CREATE; an AdmissionReview file as it is, e.g. a DELETE with its oldObject) through the
// webhook's own handler, which the CLI passes in (`review`: Gatekeeper may not import Admission).
// The case's inventory is set as data.inventory (once per distinct inventory, not per case).
import { readFile } from 'node:fs/promises';
import { validateConfig } from '../config/load';
import { describeThrown } from '../errors';
import type { Labels, NamespaceLabels } from '../policy/match';
import type { KubeObject } from '../policy/request';
import { prepareSnapshot, type PolicySnapshot } from '../policy/snapshot';
import { customKindsOf } from '../policy/source/kinds';
import { DEFAULT_USER, manifestKind, manifestRequest } from '../policy/source/manifest-request';
import { describeProblem, parseDocuments } from '../policy/source/yaml';
import type { Opa } from '../policy/build/opa';
import { isConstraint, parseConstraint, type Constraint } from './constraint';
import { GatekeeperObjectError } from './gatekeeper-error';
import { Inventory } from './inventory';
import { constraintPolicy } from './policies';
import type { FoundSuites } from './suite-discovery';
import type { Suite, SuiteCase, SuiteTest } from './suite';
import { everything, type VerifyFilter } from './verify-filter';
import {
  checkAssertions,
  type CaseResult,
  type SuiteResult,
  type TestResult,
} from './verify-result';
import { compileSuiteTemplates, type CompiledTemplate } from './verify-templates';

/** What a case's review found: the messages of its violations (any action). */
export type ReviewCase = (
  admissionReview: Record<string, unknown>,
  snapshot: PolicySnapshot,
  namespaceLabels: NamespaceLabels,
) => Promise<string[]>;

export interface VerifyOptions {
  opa: Opa;
  review: ReviewCase;
  filter?: VerifyFilter;
  /** Where opa's build lines go (the CLI: nowhere unless --verbose). */
  log?: (line: string) => void;
}

export async function runSuites(found: FoundSuites, opts: VerifyOptions): Promise<SuiteResult[]> {
  const filter = opts.filter ?? everything;
  const runnable = found.suites.filter((s) => !s.skip);
  const templateFiles = runnable.flatMap((s) =>
    s.tests.filter((t) => !t.skip && filter.matchesTest(t) && t.template).map((t) => t.template!),
  );
  const compiled = await compileSuiteTemplates(templateFiles, opts.opa, opts.log);
  try {
    const results: SuiteResult[] = found.unreadable.map((u) => ({
      path: u.path,
      skipped: false,
      error: u.error,
      tests: [],
      ms: 0,
    }));
    for (const suite of found.suites) {
      results.push(await runSuite(suite, compiled.byFile, filter, opts.review));
    }
    return results.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  } finally {
    await compiled.close();
  }
}

async function runSuite(
  suite: Suite,
  templates: ReadonlyMap<string, CompiledTemplate>,
  filter: VerifyFilter,
  review: ReviewCase,
): Promise<SuiteResult> {
  const start = performance.now();
  if (suite.skip) return { path: suite.path, skipped: true, tests: [], ms: 0 };
  const tests: TestResult[] = [];
  for (const t of suite.tests) {
    if (t.skip || !filter.matchesTest(t)) {
      tests.push({ name: t.name, skipped: true, cases: [], ms: 0 });
      continue;
    }
    if (t.expansion !== undefined) {
      tests.push(expansionSkipped(t));
      continue;
    }
    tests.push(await runTest(t, templates, filter, review));
  }
  return { path: suite.path, skipped: false, tests, ms: performance.now() - start };
}

// Expansion (gator's ExpansionTemplates: a Deployment reviewed as the Pod it would create) is
// not supported (docs/gatekeeper.md): such a test is skipped, saying so, its cases counted as
// skipped rather than run without the expansion and reported as failures of the template.
function expansionSkipped(t: SuiteTest): TestResult {
  return {
    name: t.name,
    skipped: true,
    unsupported: `expansion (${t.expansion}): ExpansionTemplates are not supported`,
    cases: t.cases.map((c) => ({ name: c.name, skipped: true, passed: true, ms: 0 })),
    ms: 0,
  };
}

// gator reviews at its own enforcement point: a scoped constraint that names neither it nor "*"
// is not evaluated there (constraint framework), so it finds nothing.
const GATOR_POINT = 'gator.gatekeeper.sh';
function reviewedByGator(c: Constraint): boolean {
  if (c.enforcementAction !== 'scoped') return true;
  return c.scopedEnforcementActions.some((s) =>
    s.enforcementPoints.some((p) => p === GATOR_POINT || p === '*'),
  );
}

async function runTest(
  t: SuiteTest,
  templates: ReadonlyMap<string, CompiledTemplate>,
  filter: VerifyFilter,
  review: ReviewCase,
): Promise<TestResult> {
  const start = performance.now();
  const done = (r: Omit<TestResult, 'name' | 'skipped' | 'ms'>): TestResult => ({
    name: t.name,
    skipped: false,
    ...r,
    ms: performance.now() - start,
  });
  // Cases of a test that cannot run are listed as failed, with the test's error as the reason.
  const broken = (error: string): TestResult =>
    done({
      error,
      broken: true,
      cases: t.cases.map((c) => ({
        name: c.name,
        skipped: false,
        passed: false,
        reason: `not run: ${error}`,
        ms: 0,
      })),
    });
  if (!t.template) return broken('invalid Suite: missing template');
  if (!t.constraint) return broken('invalid Suite: missing constraint');
  const compiled = templates.get(t.template)!;
  if (compiled.error !== undefined) return broken(`adding template: ${compiled.error}`);
  const template = compiled.template!;
  let constraint;
  try {
    const doc = await readOne(t.constraint, 'constraint');
    if (!isConstraint(doc.object)) throw new Error(`${t.constraint}: not a Constraint`);
    constraint = parseConstraint(
      doc.object,
      new Map([[template.kind, template]]),
      `${doc.source}:${doc.line}`,
    );
  } catch (thrown) {
    const refused = thrown instanceof GatekeeperObjectError;
    if (t.invalid && refused) return done({ cases: [] });
    return broken(`adding constraint: ${describeThrown(thrown)}`);
  }
  if (t.invalid) {
    return done({
      error: `the constraint was accepted but the test expects it to be invalid for the template (invalid: true)`,
      cases: [],
    });
  }
  // Every violation counts, whatever the constraint's enforcementAction (as gator counts them),
  // unless the constraint is scoped away from gator's enforcement point.
  const action = reviewedByGator(constraint) ? ('deny' as const) : ('off' as const);
  const policy = { ...constraintPolicy(constraint), action };
  const config = verifyConfig(compiled.bundleDir!);
  const snapshot = prepareSnapshot({ config, policies: [policy], evaluator: compiled.evaluator! });
  const cases: CaseResult[] = [];
  for (const c of t.cases) {
    if (c.skip || !filter.matchesCase(t.name, c.name)) {
      cases.push({ name: c.name, skipped: true, passed: true, ms: 0 });
      continue;
    }
    cases.push(await runCase(c, snapshot, compiled, review));
  }
  return done({ cases });
}

async function runCase(
  c: SuiteCase,
  snapshot: PolicySnapshot,
  compiled: CompiledTemplate,
  review: ReviewCase,
): Promise<CaseResult> {
  const start = performance.now();
  const result = (reason?: string): CaseResult => ({
    name: c.name,
    skipped: false,
    passed: reason === undefined,
    ...(reason !== undefined ? { reason } : {}),
    ms: performance.now() - start,
  });
  if (c.problem) return result(c.problem);
  try {
    const objects = await readObjects(c.object!);
    if (objects.length !== 1) {
      return result(
        `object file must contain exactly one object: ${JSON.stringify(c.object)} defines ${objects.length} objects`,
      );
    }
    const inventoryObjects: KubeObject[] = [];
    for (const file of c.inventory) inventoryObjects.push(...(await readObjects(file)));
    const inventory = new Inventory({ maxObjects: Number.MAX_SAFE_INTEGER, strip: false });
    for (const o of inventoryObjects) inventory.put(o);
    await compiled.setInventory(inventory.toJSON());
    const object = objects[0]!;
    const ar = admissionReviewFor(object, inventoryObjects);
    const messages = await review(ar, snapshot, namespaceLabels(inventoryObjects, object));
    return result(checkAssertions(c.assertions, messages));
  } catch (thrown) {
    return result(describeThrown(thrown));
  }
}

/** The review for a case's object: an AdmissionReview as given, else a CREATE of the object. */
function admissionReviewFor(
  object: KubeObject,
  inventory: readonly KubeObject[],
): Record<string, unknown> {
  const apiVersion = String(object.apiVersion);
  if (object.kind === 'AdmissionReview' && apiVersion.startsWith('admission.k8s.io/')) {
    return object as Record<string, unknown>;
  }
  // gator reviews any kind (its own suite's objects are `kind: Foo, apiVersion: v1`).
  const kind = manifestKind(object, customKindsOf([...inventory, object]), { anyKind: true });
  const request = manifestRequest(object, kind, {
    operation: 'CREATE',
    username: DEFAULT_USER,
    groups: [],
  });
  // gator reviews an object in the namespace it names and in none when it names none (the
  // apiserver, and palisade eval, would put it in "default"): templates that compare
  // namespaces, and match.namespaces, see what gator's do.
  if (!object.metadata?.namespace) {
    delete request.namespace;
    if (request.object?.metadata) delete request.object.metadata.namespace;
  }
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request };
}

/**
 * Namespace labels for a constraint's namespaceSelector, as gator finds them: from the Namespace
 * objects among the case's inventory (and the object itself when it is one). Unknown: the
 * constraint applies (Palisade's rule when labels cannot be known).
 */
function namespaceLabels(inventory: readonly KubeObject[], object: KubeObject): NamespaceLabels {
  const known = new Map<string, Labels>();
  for (const o of [...inventory, object]) {
    const name = o.metadata?.name;
    if (o.kind === 'Namespace' && o.apiVersion === 'v1' && typeof name === 'string') {
      known.set(name, { ...(o.metadata?.labels ?? {}), 'kubernetes.io/metadata.name': name });
    }
  }
  return async (ns) => known.get(ns);
}

async function readObjects(file: string): Promise<KubeObject[]> {
  const { documents, problems } = parseDocuments(file, await readText(file));
  if (problems.length > 0) throw new Error(problems.map(describeProblem).join('; '));
  if (documents.length === 0) throw new Error(`missing objects: path ${file} defines no objects`);
  return documents.map((d) => d.object as KubeObject);
}

async function readOne(file: string, what: string) {
  const { documents, problems } = parseDocuments(file, await readText(file));
  if (problems.length > 0) throw new Error(problems.map(describeProblem).join('; '));
  if (documents.length !== 1) {
    throw new Error(`${file}: a ${what} file must hold one object (found ${documents.length})`);
  }
  return documents[0]!;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (thrown) {
    throw new Error(`cannot read ${file}: ${describeThrown(thrown)}`, { cause: thrown });
  }
}

/** A webhook config for the run: no exemptions (gator has none), evaluation on this thread. */
function verifyConfig(bundleDir: string) {
  return validateConfig('palisade verify', { bundle: bundleDir, evaluation: { workers: 0 } });
}
