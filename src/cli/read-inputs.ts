// Reads the inputs named by `-f`: files, directories (recursively) and `-` for stdin. Every
// unreadable path is reported; none is skipped silently.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describeThrown } from '../errors';
import { CliError } from './cli-error';
import { readAll } from './io';
import {
  describeProblem,
  parseDocuments,
  STDIN,
  type InputProblem,
  type SourceDocument,
} from '../policy/source/yaml';

export interface InputText {
  source: string;
  text: string;
}

/** Manifest files in a directory; `<name>.expected.json` are example expectations, not objects. */
const MANIFEST = /\.(ya?ml|json)$/i;
const EXPECTATION = /\.expected\.json$/i;

export async function readInputs(
  paths: readonly string[],
  stdin: NodeJS.ReadableStream,
): Promise<{ inputs: InputText[]; problems: InputProblem[] }> {
  const inputs: InputText[] = [];
  const problems: InputProblem[] = [];
  for (const path of paths) {
    if (path === '-') {
      inputs.push({ source: STDIN, text: await readAll(stdin) });
      continue;
    }
    let files: string[];
    try {
      files = (await stat(path)).isDirectory() ? await manifestsIn(path) : [path];
    } catch (thrown) {
      problems.push({ source: path, message: `cannot read: ${describeThrown(thrown)}` });
      continue;
    }
    if (files.length === 0) {
      problems.push({ source: path, message: 'no .yaml, .yml or .json files in this directory' });
    }
    for (const file of files) {
      try {
        inputs.push({ source: file, text: await readFile(file, 'utf8') });
      } catch (thrown) {
        problems.push({ source: file, message: `cannot read: ${describeThrown(thrown)}` });
      }
    }
  }
  return { inputs, problems };
}

/** Manifest files under dir, in a stable order; dot-directories (.git, .github) are not read. */
async function manifestsIn(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!e.name.startsWith('.')) out.push(...(await manifestsIn(p)));
    } else if (MANIFEST.test(e.name) && !EXPECTATION.test(e.name)) {
      out.push(p);
    }
  }
  return out;
}

/** The Kubernetes objects of every input (`-f`), and every problem of reading or parsing them. */
export async function readDocuments(
  paths: readonly string[],
  stdin: NodeJS.ReadableStream,
): Promise<{ docs: SourceDocument[]; problems: InputProblem[] }> {
  const { inputs, problems } = await readInputs(paths, stdin);
  const docs: SourceDocument[] = [];
  for (const input of inputs) {
    const parsed = parseDocuments(input.source, input.text);
    docs.push(...parsed.documents);
    problems.push(...parsed.problems);
  }
  return { docs, problems };
}

/** Every problem of every input at once, in input order; nothing is evaluated if there is one. */
export function throwOnProblems(problems: readonly InputProblem[]): void {
  if (problems.length === 0) return;
  const sorted = [...problems].sort((a, b) =>
    a.source < b.source ? -1 : a.source > b.source ? 1 : (a.line ?? 0) - (b.line ?? 0),
  );
  const list = sorted.map((p) => `  ${describeProblem(p)}`).join('\n');
  const n = problems.length;
  throw new CliError(
    'PAL_CLI_INPUT',
    `${n} input problem${n === 1 ? '' : 's'}, nothing evaluated:\n${list}`,
  );
}
