// Where the CLI finds Palisade's own files (the built bundle, the built-in policies), whether it
// runs from dist/src/cli (the built CLI) or src/cli (ts-jest), and how it shows paths.
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { packageRoot } from '../policy/build/package-root';

export { packageRoot };

export const DEFAULT_BUNDLE = 'dist/bundle';

/**
 * The bundle to load when none is named: dist/bundle of the working directory when there is
 * one (a policy repository with its own build), else the one built with this package.
 */
export function defaultBundle(cwd: string): string {
  const local = resolve(cwd, DEFAULT_BUNDLE);
  if (existsSync(join(local, 'palisade.json'))) return local;
  return join(packageRoot(), DEFAULT_BUNDLE);
}

/** A path for messages: relative to the working directory when inside it, else absolute. */
export function displayPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : resolve(p);
}
