// The palisade CLI: build, test, eval and explain policies with the webhook's own engine.
// bin/palisade.js calls run(); each command returns its exit code (0 clean, 1 findings,
// 2 usage or tool error) and nothing below this file calls process.exit(). docs/cli.md.
import { describeThrown, PalisadeError } from '../errors';
import { CliError } from './cli-error';
import { buildCommand } from './commands/build';
import { evalCommand } from './commands/eval';
import { explainCommand } from './commands/explain';
import { generateCommand } from './commands/generate';
import { inspectCommand } from './commands/inspect';
import { playgroundCommand } from './commands/playground';
import { pullCommand } from './commands/pull';
import { pushCommand } from './commands/push';
import { reportCommand } from './commands/report';
import { testCommand } from './commands/test';
import { verifyCommand } from './commands/verify';
import { processIo, type CliIo } from './io';
import { VERSION } from './version';

type Command = (argv: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  build: buildCommand,
  test: testCommand,
  eval: evalCommand,
  explain: explainCommand,
  generate: generateCommand,
  inspect: inspectCommand,
  push: pushCommand,
  pull: pullCommand,
  playground: playgroundCommand,
  report: reportCommand,
  verify: verifyCommand,
};

export const USAGE = `Usage: palisade <command> [options]

Commands:
  build [dir]             compile policy folders into a bundle (opa build -t wasm)
  test [dir]              opa test, then every example manifest through the engine
  eval -f <file|dir|->    evaluate manifests as the webhook would; prints what kubectl would show
  explain <policy-id>     what a policy checks, its parameters, controls and examples
  generate [--check]      write, or check, every file generated from the sources
  inspect FILE.tar.gz     read (and verify) a bundle archive: revision, policies, provenance
  push oci://... FILE     upload a bundle archive to an OCI registry
  pull oci://... -o FILE  download a bundle from an OCI registry
  playground              a local page: manifests and edited Rego decided in the browser
  verify PATH             run gator test suites (test.gatekeeper.sh Suite) on the engine
  report -f|--kubeconfig  which controls hold (PSS, CIS, NSA-CISA): text, JSON or an HTML page

Run palisade <command> --help for its options. Docs: docs/cli.md.
Exit: 0 clean, 1 violations or failed tests, 2 usage or tool error.`;

export async function run(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === 'version') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`palisade: unknown command "${name}"\n\n${USAGE}\n`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (thrown) {
    io.stderr.write(`palisade ${name}: ${describeThrown(thrown)}\n`);
    if (isUsage(thrown)) io.stderr.write(`(palisade ${name} --help for usage)\n`);
    if (verbose && thrown instanceof Error && thrown.stack) io.stderr.write(`${thrown.stack}\n`);
    else if (!(thrown instanceof CliError || thrown instanceof PalisadeError || isUsage(thrown))) {
      io.stderr.write('(--verbose shows the stack trace)\n');
    }
    return 2;
  }
}

/** Usage errors: ours, and node:util parseArgs's (unknown option, missing value). */
function isUsage(thrown: unknown): boolean {
  if (thrown instanceof CliError) return thrown.code === 'PAL_CLI_USAGE';
  const code = (thrown as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
