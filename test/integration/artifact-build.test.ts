// palisade build --output: the repository's policies built into one bundle archive, in-process
// (buildCommand with the real opa). Signed, it verifies and loads; its manifest records the
// provenance (every input's SHA-256, the tool versions, SOURCE_DATE_EPOCH as the build time);
// built twice from the same inputs and epoch it is byte-identical; the signing flags refuse what
// cannot sign, before anything is built.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { buildCommand } from '../../src/cli/commands/build';
import type { CliIo } from '../../src/cli/io';
import { VERSION } from '../../src/cli/version';
import {
  loadBundleFromArchive,
  readBundleArchive,
  type Provenance,
} from '../../src/policy/artifact';
import { loadBundle } from '../../src/policy/bundle';
import { Opa, pinnedOpaPath } from '../../src/policy/build/opa';
import { ROOT } from '../support/root';

const POLICIES = join(ROOT, 'policies');
const EPOCH = '1767225600'; // 2026-01-01T00:00:00Z

function io(env: NodeJS.ProcessEnv = {}): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (c: string) => (out += c) },
    stderr: { write: (c: string) => (err += c) },
    stdin: new PassThrough(),
    env: { SOURCE_DATE_EPOCH: EPOCH, ...env },
    out: () => out,
    err: () => err,
  };
}

let work: string;
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
let ecKey: string;
let rsaKey: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'palisade-artifact-build-'));
  ecKey = join(work, 'ec.pem');
  rsaKey = join(work, 'rsa.pem');
  writeFileSync(ecKey, ec.privateKey.export({ type: 'sec1', format: 'pem' }));
  writeFileSync(rsaKey, rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('writes a signed archive that verifies, loads as the directory build does, and records its provenance', async () => {
  const archive = join(work, 'signed.tar.gz');
  const dir = join(work, 'dir');
  const run = io();
  const code = await buildCommand(
    [
      POLICIES,
      '-o',
      dir,
      '--output',
      archive,
      '--signing-key',
      ecKey,
      '--signing-alg',
      'ES256',
      '--signing-key-id',
      'ci-2026',
    ],
    run,
  );
  expect({ code, err: code === 0 ? '' : run.err() }).toEqual({ code: 0, err: '' });
  expect(run.out()).toBe(`built ${archive} and ${dir} from ${POLICIES}\n`);

  const read = await readBundleArchive(readFileSync(archive), {
    source: archive,
    publicKeys: [{ keyId: 'ci-2026', key: ec.publicKey, algorithm: 'ES256' }],
  });
  expect(read.signature).toMatchObject({ keyId: 'ci-2026', algorithm: 'ES256' });
  expect(read.revision).toMatch(/^sha256:[0-9a-f]{64}$/);
  const fromArchive = await loadBundleFromArchive(read);
  const fromDir = await loadBundle(dir);
  expect([...fromArchive.policies.keys()]).toEqual([...fromDir.policies.keys()]);
  expect(read.files.get('policy.wasm')).toEqual(readFileSync(join(dir, 'policy.wasm')));

  const provenance = read.manifest.metadata!.provenance as Provenance;
  expect(provenance.builtAt).toBe('2026-01-01T00:00:00.000Z');
  expect(provenance.versions).toEqual({
    palisade: VERSION,
    opa: await new Opa(pinnedOpaPath()).version(),
    node: process.versions.node,
  });
  const rego = 'disallow-privileged/policy.rego';
  expect(provenance.inputs).toContainEqual({
    path: rego,
    sha256: createHash('sha256')
      .update(readFileSync(join(POLICIES, rego)))
      .digest('hex'),
  });
  expect(provenance.inputs.map((i) => i.path)).toContain('capabilities.json');
  expect(provenance.inputsDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
});

it('builds the same bytes twice from the same inputs and SOURCE_DATE_EPOCH; --revision names the revision', async () => {
  const a = join(work, 'a.tar.gz');
  const b = join(work, 'b.tar.gz');
  for (const file of [a, b]) {
    const run = io();
    const code = await buildCommand(
      [POLICIES, '--output', file, '--revision', 'v1.2.3', '--signing-key', rsaKey],
      run,
    );
    expect({ code, err: code === 0 ? '' : run.err() }).toEqual({ code: 0, err: '' });
    expect(run.out()).toBe(`built ${file} from ${POLICIES}\n`); // no directory asked for: none kept
  }
  expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
  const read = await readBundleArchive(readFileSync(a), {
    publicKeys: [{ keyId: 'default', key: rsa.publicKey, algorithm: 'RS256' }],
  });
  expect(read.revision).toBe('v1.2.3');
  expect(read.signature).toMatchObject({ keyId: 'default', algorithm: 'RS256' });
});

describe('refuses, before building, what cannot sign', () => {
  it.each([
    [['--signing-key', 'KEY'], /--signing-key needs --output/],
    [['--output', 'b.zip'], /a bundle archive is a \.tar\.gz file/],
    [['--output', 'OUT', '--signing-alg', 'ES256'], /--signing-alg needs --signing-key/],
    [
      ['--output', 'OUT', '--signing-key', 'KEY', '--signing-alg', 'HS256'],
      /HS256 is not supported/,
    ],
    [['--output', 'OUT', '--signing-key', 'KEY', '--signing-alg', 'none'], /none is not supported/],
    [
      ['--output', 'OUT', '--signing-key', 'KEY', '--signing-alg', 'ES256'],
      /ES256 needs an EC key on prime256v1, not rsa/,
    ],
    [['--output', 'OUT', '--signing-key', 'MISSING'], /cannot read a PEM private key/],
  ])('%j', async (args, message) => {
    const argv = args.map((a) =>
      a === 'KEY'
        ? rsaKey
        : a === 'OUT'
          ? join(work, 'never.tar.gz')
          : a === 'MISSING'
            ? join(work, 'nope.pem')
            : a,
    );
    await expect(buildCommand([POLICIES, ...argv], io())).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(message),
    });
    expect(existsSync(join(work, 'never.tar.gz'))).toBe(false);
  });
});
