// The example manifests of a policy folder (docs/policy-contract.md, "Examples and their
// expectations"): examples/allowed/<name>.yaml must pass, examples/denied/<name>.yaml must give
// exactly the violations of <name>.expected.json. Read once here (YAML 1.1, as kubectl) for
// `palisade test`, `palisade explain`, the build's generated Rego tests and the jest suites;
// exampleRequest and exampleParameters give each of them the same input for an example.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeThrown } from '../../errors';
import type { AdmissionRequest, KubeObject, Operation } from '../request';
import { customKindsOf, resolveKind } from './kinds';
import { manifestRequest } from './manifest-request';
import { defaultParameters, type ParameterSchemaHolder } from './parameters';
import { describeProblem, parseDocuments } from './yaml';

export interface ExpectedViolation {
  msg: string;
  path: string;
  fix?: string;
  details?: Record<string, unknown>;
}

export interface Example {
  policy: string;
  expect: 'allowed' | 'denied';
  /** The manifest file. */
  file: string;
  /** The manifest's object; absent when the file is not exactly one Kubernetes object. */
  object?: KubeObject;
  /** The parameters the expectation file sets; else the policy's defaults apply. */
  parameters?: Record<string, unknown>;
  /** The operation the expectation file sets, CREATE by default. */
  operation: Operation;
  violations: ExpectedViolation[];
  /** Why the example cannot be run (its manifest or its expectation file). */
  problem?: string;
}

/** The user examples are sent as. */
export const EXAMPLE_USER = 'palisade-example';

/** The examples of policy `id` under the policies root: allowed ones first, by file name. */
export function policyExamples(policiesDir: string, id: string): Example[] {
  const out: Example[] = [];
  for (const expect of ['allowed', 'denied'] as const) {
    const dir = join(policiesDir, id, 'examples', expect);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()) {
      const file = join(dir, name);
      const manifest = readManifest(file);
      const expectation = readExpectation(file.replace(/\.ya?ml$/, '.expected.json'), expect);
      const problem = manifest.problem ?? expectation.problem;
      out.push({
        policy: id,
        expect,
        file,
        ...(manifest.object ? { object: manifest.object } : {}),
        operation: 'CREATE',
        ...expectation,
        ...(problem ? { problem } : {}),
      });
    }
  }
  return out;
}

/**
 * The AdmissionRequest for an example: its manifest as `palisade eval` sends it, by the example
 * user, with the expectation's operation. Throws, naming the file, when it cannot be built.
 */
export function exampleRequest(ex: Example, uid?: string): AdmissionRequest {
  if (!ex.object) throw new Error(ex.problem ?? `${ex.file}: no object`);
  try {
    const kind = resolveKind(
      String(ex.object.apiVersion),
      String(ex.object.kind),
      customKindsOf([ex.object]),
    );
    return manifestRequest(ex.object, kind, {
      operation: ex.operation,
      username: EXAMPLE_USER,
      groups: [],
      ...(uid ? { uid } : {}),
    });
  } catch (thrown) {
    throw new Error(`${ex.file}: ${describeThrown(thrown)}`, { cause: thrown });
  }
}

/** The parameters an example runs with: its expectation's, else the policy's defaults. */
export function exampleParameters(
  ex: Example,
  meta: ParameterSchemaHolder,
): Record<string, unknown> {
  return ex.parameters ?? defaultParameters(meta);
}

function readManifest(file: string): { object?: KubeObject; problem?: string } {
  const { documents, problems } = parseDocuments(file, readFileSync(file, 'utf8'));
  if (problems.length > 0) return { problem: problems.map(describeProblem).join('\n') };
  if (documents.length !== 1) {
    return { problem: `${file}: an example holds exactly one object (found ${documents.length})` };
  }
  return { object: documents[0]!.object as KubeObject };
}

function readExpectation(
  file: string,
  expect: Example['expect'],
): Pick<Example, 'parameters' | 'violations' | 'problem'> & { operation?: Operation } {
  if (!existsSync(file)) {
    return expect === 'allowed'
      ? { violations: [] }
      : { violations: [], problem: `${file} is missing: a denied example lists its violations` };
  }
  let exp: { parameters?: unknown; operation?: unknown; violations?: unknown };
  try {
    exp = JSON.parse(readFileSync(file, 'utf8'));
  } catch (thrown) {
    return { violations: [], problem: `${file}: invalid JSON: ${describeThrown(thrown)}` };
  }
  const vs = exp.violations;
  if (
    !Array.isArray(vs) ||
    !vs.every((v) => typeof v?.msg === 'string' && typeof v?.path === 'string')
  ) {
    return {
      violations: [],
      problem: `${file}: "violations" must be a list of {"msg", "path", ...}`,
    };
  }
  if (expect === 'denied' && vs.length === 0) {
    return { violations: [], problem: `${file}: a denied example expects at least one violation` };
  }
  if (expect === 'allowed' && vs.length > 0) {
    return { violations: [], problem: `${file}: an allowed example expects no violations` };
  }
  return {
    violations: vs as ExpectedViolation[],
    ...(exp.parameters && typeof exp.parameters === 'object'
      ? { parameters: exp.parameters as Record<string, unknown> }
      : {}),
    ...(typeof exp.operation === 'string' ? { operation: exp.operation as Operation } : {}),
  };
}
