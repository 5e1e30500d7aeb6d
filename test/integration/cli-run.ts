// Runs the built CLI (bin/palisade.js → dist/src/cli/main.js) as a user would, and reads what
// it printed. `npm test` builds dist/ before jest runs.
import { execFile } from 'node:child_process';
import { join, relative } from 'node:path';
import { findPolicyFolders } from '../../src/policy/source/discover';
import { policyExamples } from '../../src/policy/source/examples';
import { ROOT } from '../support/root';

export { ROOT };
export const BIN = join(ROOT, 'bin', 'palisade.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function palisade(
  args: string[],
  opts: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: opts.cwd ?? ROOT,
        env: { ...process.env, NO_COLOR: '', ...opts.env },
        maxBuffer: 64 << 20,
      },
      (err, stdout, stderr) => {
        const code = err ? (err as { code?: unknown }).code : 0;
        if (typeof code !== 'number') reject(err);
        else resolve({ code, stdout, stderr });
      },
    );
    child.stdin!.end(opts.input ?? '');
  });
}

/** One object of the text format: its header line, denial message and warning lines. */
export interface TextBlock {
  head: string;
  message?: string;
  warnings: string[];
}

/** Reads the text format back: blocks until the blank line before the summary. */
export function parseText(out: string): TextBlock[] {
  const blocks: TextBlock[] = [];
  let inMessage = false;
  for (const line of out.split('\n')) {
    if (line === '') break;
    if (!line.startsWith('  ')) {
      blocks.push({ head: line, warnings: [] });
      inMessage = false;
      continue;
    }
    const block = blocks.at(-1)!;
    const body = line.slice(2);
    if (body.startsWith('denied the request: ')) {
      block.message = body.slice('denied the request: '.length);
      inMessage = true;
    } else if (body.startsWith('Warning: ')) {
      block.warnings.push(body.slice('Warning: '.length));
      inMessage = false;
    } else if (/^(Audit|operation|exempt|error):/.test(body)) {
      inMessage = false;
    } else if (inMessage) {
      block.message += `\n${body}`;
    }
  }
  return blocks;
}

export interface PolicyExample {
  policy: string;
  expect: 'allowed' | 'denied';
  file: string;
  expected: {
    parameters?: Record<string, unknown>;
    operation?: string;
    violations: { msg: string; path: string }[];
  };
}

/** Every example manifest of the built-in policies, with its expectation (src/policy/source). */
export function builtinExamples(): PolicyExample[] {
  const dir = join(ROOT, 'policies');
  return findPolicyFolders(dir).flatMap((policy) =>
    policyExamples(dir, policy).map((ex) => ({
      policy,
      expect: ex.expect,
      file: relative(ROOT, ex.file),
      expected: {
        ...(ex.parameters ? { parameters: ex.parameters } : {}),
        ...(ex.operation !== 'CREATE' ? { operation: ex.operation } : {}),
        violations: ex.violations.map((v) => ({ ...v })),
      },
    })),
  );
}
