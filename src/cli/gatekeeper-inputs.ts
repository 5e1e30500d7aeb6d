// Gatekeeper's objects among the CLI's inputs (palisade eval -f): the ConstraintTemplates are
// compiled with the real opa into a bundle of their own (a temporary directory), and the
// constraints become the policies evaluated on it, with the same engine and handleAdmission as
// the webhook. A template that does not compile is an input problem naming it, its field and
// line (exit 2), like any other bad input. docs/cli.md#gatekeeper-objects.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileTemplates } from '../gatekeeper/compile';
import { splitSource, type GatekeeperObjects } from '../gatekeeper/load-objects';
import { constraintPolicies } from '../gatekeeper/policies';
import { PolicyBuildError } from '../policy/build/build-error';
import type { EffectivePolicy } from '../policy/policy-set';
import type { InputProblem } from '../policy/source/yaml';
import { pinnedOpa, toolError } from './commands/build';
import { CliError } from './cli-error';
import type { CliIo } from './io';

export interface CliGatekeeper {
  /** The compiled bundle's directory. */
  bundle: string;
  constraints: readonly EffectivePolicy[];
  /** Removes the temporary bundle. */
  close(): void;
}

/** Whether the inputs hold templates or constraints (then the bundle is compiled from them). */
export function hasGatekeeperObjects(objects: GatekeeperObjects): boolean {
  return objects.templates.length > 0 || objects.constraints.length > 0;
}

/**
 * Compiles the templates (alone: the built-in policies are not part of this bundle) and returns
 * the constraints as policies. Throws a CliError listing every template that did not compile.
 */
export async function compileGatekeeperInputs(
  objects: GatekeeperObjects,
  io: CliIo,
): Promise<CliGatekeeper> {
  if (objects.templates.length === 0) {
    throw new CliError(
      'PAL_CLI_INPUT',
      'constraints were given without their ConstraintTemplates (add the template files with -f)',
    );
  }
  const opa = await pinnedOpa(io);
  const work = mkdtempSync(join(tmpdir(), 'palisade-gatekeeper-'));
  const close = () => rmSync(work, { recursive: true, force: true });
  try {
    const compiled = await compileTemplates({
      opa,
      templates: objects.templates,
      outDir: join(work, 'bundle'),
    });
    const problems: InputProblem[] = [];
    for (const t of objects.templates) {
      for (const e of compiled.errors.get(t.name) ?? []) {
        const [source, line] = splitSource(t.source);
        const at = e.location ? `${e.location}: ` : '';
        problems.push({
          source,
          line,
          message: `ConstraintTemplate ${t.name}: ${at}${e.code}: ${e.message}`,
        });
      }
    }
    if (problems.length > 0) {
      const list = problems.map((p) => `  ${p.source}${p.line ? `:${p.line}` : ''}: ${p.message}`);
      throw new CliError(
        'PAL_CLI_INPUT',
        `${problems.length} template problem${problems.length === 1 ? '' : 's'}, nothing evaluated:\n${list.join('\n')}`,
      );
    }
    return {
      bundle: join(work, 'bundle'),
      constraints: constraintPolicies(objects.constraints),
      close,
    };
  } catch (thrown) {
    close();
    if (thrown instanceof PolicyBuildError) {
      throw new CliError('PAL_CLI_INPUT', thrown.message, { cause: thrown });
    }
    throw toolError(thrown);
  }
}
