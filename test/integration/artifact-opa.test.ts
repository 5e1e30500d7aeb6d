// Bundle archives against the real opa (.tools/bin/opa), both ways: `opa inspect` reads what
// `palisade build --output`'s writer makes; a bundle Palisade signs verifies in `opa build -b
// --verification-key` (and a tampered one is refused there too); a bundle the real `opa build
// --signing-key` signs verifies in readBundleArchive, and its tampered copy is refused. RS256 and
// ES256 keys are made here with node:crypto. The Palisade bundle is the built dist/bundle.
import { execFile } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BUNDLE, ROOT } from '../support/root';
import {
  bundleArchive,
  loadBundleFromArchive,
  readBundleArchive,
  type SigningAlgorithm,
} from '../../src/policy/artifact';
import { readTarGz, writeTarGz } from '../../src/policy/artifact/tar';

const OPA = join(ROOT, '.tools', 'bin', 'opa');
const run = promisify(execFile);

async function opa(args: string[], cwd?: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(OPA, args, { maxBuffer: 64 << 20, cwd });
    return { code: 0, out: `${stdout}${stderr}` };
  } catch (thrown) {
    const e = thrown as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === 'number' ? e.code : -1,
      out: `${e.stdout ?? ''}${e.stderr ?? ''}`,
    };
  }
}

function keyPair(alg: SigningAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  return alg === 'ES256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
}

function pem(key: KeyObject): string {
  return key.type === 'private'
    ? (key.export({ type: 'pkcs8', format: 'pem' }) as string)
    : (key.export({ type: 'spki', format: 'pem' }) as string);
}

/** The archive with one file's bytes replaced, everything else as it was. */
function tampered(archive: Buffer, name: string, change: (b: Buffer) => Buffer): Buffer {
  const files = readTarGz(archive, 'test');
  files.set(name, change(files.get(name)!));
  return writeTarGz([...files].map(([n, data]) => ({ name: n, data })));
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'palisade-artifact-opa-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('opa reads what Palisade writes', () => {
  it('opa inspect shows the revision, the roots, the wasm entrypoint and the metadata', async () => {
    const built = await bundleArchive(BUNDLE, { revision: 'rev-42' });
    const file = join(work, 'inspect.tar.gz');
    writeFileSync(file, built.bytes);
    const res = await opa(['inspect', '--format', 'json', file]);
    expect(res.code).toBe(0);
    const info = JSON.parse(res.out) as {
      manifest: {
        revision: string;
        roots: string[];
        wasm: { entrypoint: string; module: string }[];
        metadata: { palisade: { policies: { id: string }[] } };
      };
      wasm_modules?: unknown[];
    };
    expect(info.manifest.revision).toBe('rev-42');
    expect(info.manifest.roots).toEqual(expect.arrayContaining(['palisade', 'policies']));
    expect(info.manifest.wasm).toEqual([
      { entrypoint: 'palisade/violations', module: '/policy.wasm' },
    ]);
    const ids = (
      JSON.parse(readFileSync(join(BUNDLE, 'palisade.json'), 'utf8')) as {
        policies: { id: string }[];
      }
    ).policies.map((p) => p.id);
    expect(info.manifest.metadata.palisade.policies.map((p) => p.id)).toEqual(ids);
  });

  it.each<SigningAlgorithm>(['RS256', 'ES256'])(
    'a bundle Palisade signs with %s verifies in opa build --verification-key; tampered, opa refuses it',
    async (alg) => {
      const { privateKey, publicKey } = keyPair(alg);
      const pub = join(work, `${alg}.pub.pem`);
      writeFileSync(pub, pem(publicKey));
      const built = await bundleArchive(BUNDLE, {
        signing: { key: privateKey, algorithm: alg, keyId: 'ci' },
      });
      const good = join(work, `signed-${alg}.tar.gz`);
      writeFileSync(good, built.bytes);
      const verify = (file: string, extra: string[] = []) =>
        opa([
          'build',
          '-b',
          file,
          '--verification-key',
          pub,
          '--verification-key-id',
          'ci',
          '--signing-alg',
          alg,
          '-o',
          join(work, 'out.tar.gz'),
          ...extra,
        ]);
      const ok = await verify(good);
      expect(ok).toEqual({ code: 0, out: '' });

      const bad = join(work, `tampered-${alg}.tar.gz`);
      writeFileSync(
        bad,
        tampered(built.bytes, 'data.json', () => Buffer.from('{"policies": {"x": 1}}')),
      );
      const refused = await verify(bad);
      expect(refused.code).not.toBe(0);
      expect(refused.out).toMatch(/data\.json: digest mismatch/);

      const wrongKey = join(work, 'other.pub.pem');
      writeFileSync(wrongKey, pem(keyPair(alg).publicKey));
      const wrong = await opa([
        'build',
        '-b',
        good,
        '--verification-key',
        wrongKey,
        '--verification-key-id',
        'ci',
        '--signing-alg',
        alg,
        '-o',
        join(work, 'out.tar.gz'),
      ]);
      expect(wrong.code).not.toBe(0);
    },
  );
});

describe('Palisade reads what opa writes', () => {
  // A small policy with data whose JSON exercises the normal form: number literals kept as
  // written (1.50, 1e3), HTML characters and U+2028 in strings, keys out of order.
  const data =
    '{"x": {"n": 1.50, "e": 1e3, "s": "a\\u2028<b>&", "z": [true, null, "\\u00e9"], "a": {}}}\n';
  let src: string;
  beforeAll(() => {
    src = join(work, 'src');
    mkdirSync(join(src, 'x'), { recursive: true });
    writeFileSync(join(src, 'x', 'p.rego'), 'package x\n\nallow if input.a == data.x.n\n');
    writeFileSync(join(src, 'data.json'), data);
  });

  it.each<SigningAlgorithm>(['RS256', 'ES256'])(
    'a bundle signed by opa build --signing-key with %s verifies; tampered, it is refused naming the file',
    async (alg) => {
      const { privateKey, publicKey } = keyPair(alg);
      const key = join(work, `opa-${alg}.pem`);
      writeFileSync(key, pem(privateKey));
      const out = join(work, `opa-signed-${alg}.tar.gz`);
      const res = await opa(
        [
          'build',
          '-t',
          'wasm',
          '-e',
          'x/allow',
          '-b',
          'src',
          '--signing-key',
          key,
          '--signing-alg',
          alg,
          '--verification-key-id',
          'opa-key',
          '-o',
          out,
        ],
        work,
      );
      expect(res).toEqual({ code: 0, out: '' });
      const bytes = readFileSync(out);
      const publicKeys = [{ keyId: 'opa-key', key: pem(publicKey), algorithm: alg }];

      const read = await readBundleArchive(bytes, { source: out, publicKeys });
      expect(read.signature).toMatchObject({ keyId: 'opa-key', algorithm: alg });
      expect([...read.files.keys()].sort()).toEqual([
        '.manifest',
        '.signatures.json',
        'data.json',
        'policy.wasm',
        'src/x/p.rego',
      ]);

      const edited = tampered(bytes, 'src/x/p.rego', (b) =>
        Buffer.concat([b, Buffer.from('\nallow if true\n')]),
      );
      await expect(
        readBundleArchive(edited, { source: 'edited', publicKeys }),
      ).rejects.toMatchObject({
        code: 'PAL_ERR_BUNDLE_VERIFY',
        reason: 'tampered',
        message: expect.stringContaining('src/x/p.rego'),
      });
      // Whitespace and key order are not content (OPA hashes data.json in a normal form): the
      // same data reformatted still verifies; a changed number literal does not.
      const reformatted = tampered(bytes, 'data.json', (b) =>
        Buffer.from(`\n  ${b.toString().replace('{"x":', '{ "x" :').replace(/,/g, ' ,\n ')}  `),
      );
      await expect(
        readBundleArchive(reformatted, { source: 'reformatted', publicKeys }),
      ).resolves.toMatchObject({ revision: '' });
      const renumbered = tampered(bytes, 'data.json', (b) =>
        Buffer.from(b.toString().replace('1.50', '1.5')),
      );
      await expect(
        readBundleArchive(renumbered, { source: 'renumbered', publicKeys }),
      ).rejects.toMatchObject({
        reason: 'tampered',
        message: expect.stringContaining('data.json'),
      });
    },
  );

  it('a Palisade bundle signed by opa build --signing-key (opa re-signing ours) loads in Palisade', async () => {
    const { privateKey, publicKey } = keyPair('RS256');
    const key = join(work, 'resign.pem');
    writeFileSync(key, pem(privateKey));
    // opa build -b reads a bundle directory (from a tarball it would prefix the file names with
    // the tarball's path), so the unsigned archive is unpacked first.
    const dir = join(work, 'unpacked');
    mkdirSync(dir);
    for (const [name, content] of readTarGz((await bundleArchive(BUNDLE)).bytes, 'test')) {
      writeFileSync(join(dir, name), content);
    }
    const out = join(work, 'resigned.tar.gz');
    const res = await opa(['build', '-b', dir, '--signing-key', key, '-o', out]);
    expect(res).toEqual({ code: 0, out: '' });
    const read = await readBundleArchive(readFileSync(out), {
      source: out,
      publicKeys: [{ keyId: 'default', key: pem(publicKey), algorithm: 'RS256' }],
    });
    const bundle = await loadBundleFromArchive(read);
    expect(bundle.policies.size).toBeGreaterThan(0);
  });
});
