// palisade playground --export DIR: the page, app.js, playground.json (static: no compiles) and
// the bundle, as plain files any static host serves (relative URLs only).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function exportStatic(dir: string, files: ReadonlyMap<string, Buffer>): string[] {
  const written: string[] = [];
  for (const [path, body] of files) {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, body);
    written.push(path);
  }
  return written.sort();
}
