// Runs one of Palisade's scripts (scripts/*.sh) for the build and test commands: its stderr
// is passed through as it comes, its stdout captured.
import { spawn } from 'node:child_process';
import { CliError } from './cli-error';
import type { OutStream } from './io';
import { script } from './paths';

export interface ScriptRun {
  status: number;
  stdout: string;
  stderr: string;
}

export function runScript(
  name: string,
  args: readonly string[],
  stderr: OutStream,
  opts: { echoStderr?: boolean } = {},
): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script(name), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      err += c;
      if (opts.echoStderr !== false) stderr.write(c);
    });
    child.on('error', (e) =>
      reject(
        new CliError('PAL_CLI_TOOL', `cannot run scripts/${name}: ${e.message}`, { cause: e }),
      ),
    );
    child.on('close', (code, signal) => {
      if (signal) reject(new CliError('PAL_CLI_TOOL', `scripts/${name} was killed by ${signal}`));
      else resolve({ status: code ?? 1, stdout: out, stderr: err });
    });
  });
}
