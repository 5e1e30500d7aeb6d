// The example manifests of a policy folder (docs/policy-contract.md, "Examples and their
// expectations"): examples/allowed/<name>.yaml must pass, examples/denied/<name>.yaml must give
// exactly the violations of <name>.expected.json.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Operation } from '../admission/types';
import { describeThrown } from '../errors';

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
  parameters?: Record<string, unknown>;
  operation?: Operation;
  violations: ExpectedViolation[];
  /** Why the expectation file cannot be used. */
  problem?: string;
}

export function policyExamples(policiesDir: string, id: string): Example[] {
  const out: Example[] = [];
  for (const expect of ['allowed', 'denied'] as const) {
    const dir = join(policiesDir, id, 'examples', expect);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()) {
      const file = join(dir, name);
      out.push({
        policy: id,
        expect,
        file,
        ...readExpectation(file.replace(/\.ya?ml$/, '.expected.json'), expect),
      });
    }
  }
  return out;
}

function readExpectation(
  file: string,
  expect: Example['expect'],
): Pick<Example, 'parameters' | 'operation' | 'violations' | 'problem'> {
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
