// The bundle directory is replaced whole: a reader sees the old or the new files, never a mix,
// and nothing is left beside it.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stagingDir, swapInto } from '../../../../src/policy/build/swap';

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'palisade-swap-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

function stage(out: string, files: Record<string, string>): string {
  const dir = stagingDir(out);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

it('stages beside the output, creating its parent', () => {
  const out = join(work, 'dist', 'bundle');
  const dir = stagingDir(out);
  expect(dir.startsWith(join(work, 'dist', '.bundle.tmp.'))).toBe(true);
  expect(readdirSync(dir)).toEqual([]);
});

it('moves the stage into place when there is no bundle yet', () => {
  const out = join(work, 'bundle');
  swapInto(stage(out, { 'policy.wasm': 'new' }), out);
  expect(readFileSync(join(out, 'policy.wasm'), 'utf8')).toBe('new');
  expect(readdirSync(work)).toEqual(['bundle']);
});

it('replaces a bundle whole: files only the old one had are gone, nothing left beside it', () => {
  const out = join(work, 'bundle');
  mkdirSync(out);
  writeFileSync(join(out, 'policy.wasm'), 'old');
  writeFileSync(join(out, 'stale.json'), 'old');
  swapInto(stage(out, { 'policy.wasm': 'new', 'palisade.json': '{}' }), out);
  expect(readdirSync(out).sort()).toEqual(['palisade.json', 'policy.wasm']);
  expect(readFileSync(join(out, 'policy.wasm'), 'utf8')).toBe('new');
  expect(readdirSync(work)).toEqual(['bundle']);
  expect(existsSync(join(work, `.bundle.old.${process.pid}`))).toBe(false);
});
