// Reads the inputs named by `-f`: files, directories (recursively) and `-` for stdin. Every
// unreadable path is reported; none is skipped silently.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describeThrown } from '../errors';
import { readAll } from './io';
import { STDIN, type InputProblem } from '../policy/source/yaml';

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
