// Finds gator suites below a directory as `gator verify DIR/...` does: every .yaml / .yml file
// whose first document is a test.gatekeeper.sh Suite, at any depth, in the order of their paths;
// other files are ignored. A file given itself must be .yaml or .yml. `DIR/...` (gator's
// recursive form) is accepted and means the same as DIR.
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, resolve } from 'node:path';
import { describeThrown } from '../errors';
import { firstDocument, isSuiteDocument, parseSuite, SUITE_GROUP, type Suite } from './suite';

/** A file that declares a Suite but cannot be read as one. */
export interface UnreadableSuite {
  path: string;
  file: string;
  error: string;
}

export interface FoundSuites {
  suites: Suite[];
  unreadable: UnreadableSuite[];
}

const YAML_FILE = /\.ya?ml$/i;

/** Throws (an Error saying why) when the target itself cannot be used. */
export async function findSuites(target: string): Promise<FoundSuites> {
  const given = target.endsWith('/...') ? target.slice(0, -3) || '.' : target;
  const root = resolve(given);
  let isDir: boolean;
  try {
    isDir = (await stat(root)).isDirectory();
  } catch (thrown) {
    throw new Error(`cannot read ${given}: ${describeThrown(thrown)}`, { cause: thrown });
  }
  if (!isDir && !YAML_FILE.test(root)) {
    throw new Error(`${given}: a suite file must end in .yaml or .yml (got "${extname(root)}")`);
  }
  const files = isDir ? await yamlFilesIn(root) : [root];
  const found: FoundSuites = { suites: [], unreadable: [] };
  for (const file of files.sort()) {
    const path = isDir ? join(given, relative(root, file)) : given;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (thrown) {
      found.unreadable.push({ path, file, error: `cannot read: ${describeThrown(thrown)}` });
      continue;
    }
    // Most YAML files in a policy repository are templates and objects: skip them unparsed.
    if (!text.includes(SUITE_GROUP)) continue;
    const doc = firstDocument(text);
    if (doc.error !== undefined) {
      found.unreadable.push({ path, file, error: doc.error });
      continue;
    }
    if (!isSuiteDocument(doc.value)) continue;
    try {
      found.suites.push(parseSuite(doc.value, file, path));
    } catch (thrown) {
      found.unreadable.push({ path, file, error: describeThrown(thrown) });
    }
  }
  return found;
}

/** .yaml/.yml files below dir, at any depth (.git is not read). */
async function yamlFilesIn(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== '.git') out.push(...(await yamlFilesIn(p)));
    } else if ((e.isFile() || e.isSymbolicLink()) && YAML_FILE.test(e.name)) out.push(p);
  }
  return out;
}
