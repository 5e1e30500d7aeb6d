// palisade verify DIR: runs gator's test suites (test.gatekeeper.sh Suite files) on Palisade's
// engine, each case through the webhook's own handler. Output as gator verify prints it, or
// JSON. docs/cli.md#palisade-verify, docs/gatekeeper.md#palisade-verify.
import { parseArgs } from 'node:util';
import { decodeAdmissionReview } from '../../admission/decode';
import { handleAdmission } from '../../admission/handler';
import { findSuites } from '../../gatekeeper/suite-discovery';
import { parseVerifyFilter } from '../../gatekeeper/verify-filter';
import {
  VERIFY_FORMATS,
  VERIFY_FORMATTERS,
  type VerifyFormat,
} from '../../gatekeeper/verify-format';
import { verifyExitCode } from '../../gatekeeper/verify-result';
import { runSuites, type ReviewCase } from '../../gatekeeper/verify-run';
import { describeThrown } from '../../errors';
import { CliError, usageError } from '../cli-error';
import type { CliIo } from '../io';
import { pinnedOpa } from './build';

export const VERIFY_USAGE = `Usage: palisade verify PATH [--run REGEX] [--format text|json] [-v]

Runs gator test suites: every .yaml/.yml file below PATH (a directory, DIR/... as gator writes
it, or one suite file) whose kind is Suite of test.gatekeeper.sh. Paths in a suite are relative
to its file. Each test compiles its ConstraintTemplate (once per run), instantiates its
constraint, and reviews each case's object as the webhook would (a CREATE; an AdmissionReview
file as written), with the case's inventory as data.inventory.
  -r, --run REGEX     only tests/cases whose names match: TEST//CASE, or one regex for either
  --format F          text (default, as gator verify prints) or json
  -v, --verbose       RUN/PASS/SKIP lines for every test and case; opa's build output

Exit: 0 every case passed, 1 a case failed, 2 a suite could not be read, a template not
compiled or a constraint not accepted (or a usage error).`;

export async function verifyCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      run: { type: 'string', short: 'r' },
      format: { type: 'string', short: 'o' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(`${VERIFY_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1)
    throw usageError('verify needs exactly one PATH (a directory or a suite file)');
  const format = (values.format ?? 'text') as VerifyFormat;
  if (!VERIFY_FORMATS.includes(format)) {
    throw usageError(
      `--format must be one of ${VERIFY_FORMATS.join(', ')} (got "${values.format}")`,
    );
  }
  let filter;
  try {
    filter = parseVerifyFilter(values.run);
  } catch (thrown) {
    throw usageError(describeThrown(thrown));
  }
  let found;
  try {
    found = await findSuites(positionals[0]!);
  } catch (thrown) {
    throw new CliError('PAL_CLI_READ', describeThrown(thrown));
  }
  if (found.suites.length === 0 && found.unreadable.length === 0) {
    throw new CliError(
      'PAL_CLI_INPUT',
      `no Suite (test.gatekeeper.sh/v1alpha1) found in ${positionals[0]}`,
    );
  }
  const verbose = values.verbose ?? false;
  const opa = await pinnedOpa(io);
  const results = await runSuites(found, {
    opa,
    review: reviewCase,
    filter,
    log: verbose ? (line) => io.stderr.write(`${line}\n`) : undefined,
  });
  io.stdout.write(VERIFY_FORMATTERS[format](results, { verbose }));
  return verifyExitCode(results);
}

/** A case's review through the webhook's handler: the messages of every violation it found. */
const reviewCase: ReviewCase = async (doc, snapshot, namespaceLabels) => {
  const review = decodeAdmissionReview(structuredClone(doc));
  const decision = await handleAdmission(review, snapshot, { namespaceLabels });
  if (decision.error) throw decision.error;
  return decision.violations.map((v) => v.msg);
};
