// Where Palisade's own files are (scripts/tools.sh, .tools/bin/opa, the built-in policies),
// whether this code runs from dist/src/policy/build (the built CLI) or src/policy/build
// (ts-jest): the nearest directory above this file whose package.json is Palisade's.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = __dirname;
  while (!isPalisadePackage(dir)) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the palisade package root above ${__dirname}`);
    dir = up;
  }
  root = dir;
  return dir;
}

function isPalisadePackage(dir: string): boolean {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'palisade';
  } catch {
    return false;
  }
}
