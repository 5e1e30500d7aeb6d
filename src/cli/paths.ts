// Where the CLI finds Palisade's own files (scripts/, the built bundle, the built-in policies),
// whether it runs from dist/src/cli (the built CLI) or src/cli (ts-jest).
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

let root: string | undefined;

/** The package root: the nearest directory above this file holding scripts/build-policies.sh. */
export function packageRoot(): string {
  if (root) return root;
  let dir = __dirname;
  while (!existsSync(join(dir, 'scripts', 'build-policies.sh'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the palisade package root above ${__dirname}`);
    dir = up;
  }
  root = dir;
  return dir;
}

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

export function script(name: string): string {
  return join(packageRoot(), 'scripts', name);
}

/** A path for messages: relative to the working directory when inside it, else absolute. */
export function displayPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : resolve(p);
}
