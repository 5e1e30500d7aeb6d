// Where the repository is, for test/ under jest (test/support/) and for the bench compiled to
// dist/ (dist/test/support/): the nearest directory above this file holding package.json.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function repositoryRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`${from}: no package.json in any directory above`);
  }
}

export const ROOT = repositoryRoot(__dirname);
/** The webhook's entry point, as `npm start` and the image run it (`npm run build:ts` makes it). */
export const MAIN = join(ROOT, 'dist', 'src', 'main.js');
/** The built policy bundle (`npm run build:policies`); PALISADE_TEST_BUNDLE points elsewhere. */
export const BUNDLE = process.env.PALISADE_TEST_BUNDLE ?? join(ROOT, 'dist', 'bundle');
