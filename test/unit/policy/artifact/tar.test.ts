// The tar.gz container (src/policy/artifact/tar.ts): written deterministically and read back; a
// hostile archive (not gzip, a path out of the bundle, a repeated name, a link, a gzip bomb, a
// truncated entry) refused as archive-invalid, naming the problem.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { readTarGz, writeTarGz } from '../../../../src/policy/artifact/tar';

const files = [
  { name: 'data.json', data: Buffer.from('{}\n') },
  { name: 'policy.wasm', data: Buffer.alloc(1500, 7) },
  { name: `${'deep/'.repeat(30)}long-name.rego`, data: Buffer.from('package x\n') },
  { name: '.manifest', data: Buffer.from('{"revision":"r"}') },
];

it('reads back what it writes, long names included, and writes the same bytes twice', () => {
  const a = writeTarGz(files, 1767225600);
  expect(writeTarGz(files, 1767225600).equals(a)).toBe(true);
  const read = readTarGz(a, 'test');
  expect([...read.keys()]).toEqual(files.map((f) => f.name));
  for (const f of files) expect(read.get(f.name)).toEqual(f.data);
});

it('writes an archive GNU tar lists, names with a leading "/" as opa writes them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-tar-'));
  try {
    writeFileSync(join(dir, 'b.tar.gz'), writeTarGz(files));
    const listing = execFileSync('tar', ['tzf', join(dir, 'b.tar.gz')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(listing.trim().split('\n')).toEqual(files.map((f) => `/${f.name}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('reads archives GNU tar writes: "./" prefixes, directories skipped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-tar-'));
  try {
    mkdirSync(join(dir, 'in', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'in', 'sub', 'data.json'), '{"a":1}');
    execFileSync('tar', ['czf', join(dir, 'g.tar.gz'), '-C', join(dir, 'in'), '.']);
    const read = readTarGz(readFileSync(join(dir, 'g.tar.gz')), 'test');
    expect([...read.keys()]).toEqual(['sub/data.json']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A one-entry tar with a raw name and type, checksummed as a real one. */
function rawTar(name: string, type = '0', data = Buffer.from('x')): Buffer {
  const one = writeTarGz([{ name: 'placeholder', data }]);
  const tar = gunzipSync(one);
  tar.fill(0, 0, 100);
  tar.write(name, 0, 100, 'utf8');
  tar.write(type, 156, 'ascii');
  tar.write('        ', 148, 'ascii');
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += tar[i]!;
  tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return gzipSync(tar);
}

it.each([
  ['not gzip', Buffer.from('PK\u0003\u0004 a zip'), /not a gzip archive/],
  [
    'a path out of the bundle',
    rawTar('../etc/passwd'),
    /"\.\.\/etc\/passwd": a file name outside the bundle/,
  ],
  ['an absolute path with ..', rawTar('/a/../../b'), /a file name outside the bundle/],
  [
    'a symbolic link',
    rawTar('policy.wasm', '2'),
    /policy\.wasm: not a regular file \(tar type '2'\)/,
  ],
  ['a hard link', rawTar('data.json', '1'), /not a regular file/],
  [
    'a repeated name',
    writeTarGz([
      { name: 'data.json', data: Buffer.from('{}') },
      { name: './data.json', data: Buffer.from('{"evil":1}') },
    ]),
    /data\.json appears twice/,
  ],
  [
    'a truncated archive',
    gzipSync(gunzipSync(writeTarGz(files)).subarray(0, 1024)),
    /truncated tar entry|no end marker/,
  ],
  ['a broken header', gzipSync(Buffer.alloc(1024, 1)), /broken tar header at byte 0/],
])('refuses %s', (_what, archive, message) => {
  expect(() => readTarGz(archive, 'bundle.tar.gz')).toThrow(
    expect.objectContaining({
      code: 'PAL_ERR_BUNDLE_ARCHIVE',
      reason: 'archive-invalid',
      message: expect.stringMatching(message),
    }),
  );
});

it('stops unpacking at the size limit (a gzip bomb)', () => {
  const bomb = writeTarGz([{ name: 'data.json', data: Buffer.alloc(4 << 20) }]);
  expect(bomb.length).toBeLessThan(64 << 10);
  expect(() => readTarGz(bomb, 'bomb.tar.gz', 1 << 20)).toThrow(
    /unpacks to more than 1048576 bytes/,
  );
});

it('a symlink in a directory archived by GNU tar is refused too', () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-tar-'));
  try {
    mkdirSync(join(dir, 'in'));
    symlinkSync('/etc/hostname', join(dir, 'in', 'data.json'));
    execFileSync('tar', ['czf', join(dir, 'l.tar.gz'), '-C', join(dir, 'in'), 'data.json']);
    expect(() => readTarGz(readFileSync(join(dir, 'l.tar.gz')), 'l')).toThrow(
      /data\.json: not a regular file/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
