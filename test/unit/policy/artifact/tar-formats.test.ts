// Reading files out of a .tar.gz as `opa build` writes it, and as the tar formats name long paths.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTarGz } from '../../../../src/policy/artifact/tar';

const tarGzFiles = (archive: Buffer) => readTarGz(archive, 'test.tar.gz');

let work: string;
const long = `${'deep/'.repeat(25)}policy.rego`; // 136 characters: past ustar's 100
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'palisade-tar-'));
  mkdirSync(join(work, 'src', 'deep', ...Array(24).fill('deep')), { recursive: true });
  writeFileSync(join(work, 'src', 'policy.wasm'), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));
  writeFileSync(join(work, 'src', 'data.json'), '{}');
  writeFileSync(join(work, 'src', long), 'package x\n');
  writeFileSync(join(work, 'src', 'empty'), '');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

it.each(['gnu', 'pax', 'ustar'])('reads every regular file of a %s archive', (format) => {
  const archive = join(work, `${format}.tar.gz`);
  const names = ['policy.wasm', 'data.json', 'empty', ...(format === 'ustar' ? [] : [long])];
  execFileSync('tar', [`--format=${format}`, '-czf', archive, '-C', join(work, 'src'), ...names]);
  const files = tarGzFiles(readFileSync(archive));
  expect([...files.keys()].sort()).toEqual([...names].sort());
  expect(files.get('policy.wasm')).toEqual(readFileSync(join(work, 'src', 'policy.wasm')));
  expect(files.get('data.json')!.toString()).toBe('{}');
  expect(files.get('empty')!.length).toBe(0);
  if (format !== 'ustar') expect(files.get(long)!.toString()).toBe('package x\n');
});

it('drops the leading / of the names opa writes, and directories', () => {
  const archive = join(work, 'rooted.tar.gz');
  execFileSync('tar', ['-czf', archive, '-C', work, '--transform', 's,^src,,', 'src']);
  const files = tarGzFiles(readFileSync(archive));
  expect(files.has('policy.wasm')).toBe(true);
  expect([...files.keys()].every((n) => !n.startsWith('/') && !n.endsWith('/'))).toBe(true);
});
