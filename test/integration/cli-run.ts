// Runs the built CLI (bin/palisade.js → dist/src/cli/main.js) as a user would, and reads what
// it printed. `npm test` builds dist/ before jest runs.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
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

/** Every example manifest of the built-in policies, with its expectation. */
export function builtinExamples(): PolicyExample[] {
  const dir = join(ROOT, 'policies');
  const out: PolicyExample[] = [];
  for (const policy of readdirSync(dir).sort()) {
    for (const expect of ['allowed', 'denied'] as const) {
      const sub = join(dir, policy, 'examples', expect);
      let names: string[];
      try {
        names = readdirSync(sub)
          .filter((f) => /\.ya?ml$/.test(f))
          .sort();
      } catch {
        continue;
      }
      for (const name of names) {
        const file = join('policies', policy, 'examples', expect, name);
        let expected: PolicyExample['expected'] = { violations: [] };
        try {
          expected = JSON.parse(
            readFileSync(join(ROOT, file.replace(/\.ya?ml$/, '.expected.json')), 'utf8'),
          );
        } catch {
          // An allowed example without expectations: no violation, default parameters.
        }
        out.push({ policy, expect, file, expected });
      }
    }
  }
  return out;
}
