// palisade inspect, in-process: what a bundle archive holds, and a refused one exits 1 with the
// reason. The archive is made from the built dist/bundle.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { inspectCommand } from '../../src/cli/commands/inspect';
import type { CliIo } from '../../src/cli/io';
import { bundleArchive } from '../../src/policy/artifact';
import { readTarGz, writeTarGz } from '../../src/policy/artifact/tar';
import { BUNDLE } from '../support/root';

function io(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (c: string) => (out += c) },
    stderr: { write: (c: string) => (err += c) },
    stdin: new PassThrough(),
    env: {},
    out: () => out,
    err: () => err,
  };
}

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
let work: string;
let signed: string;
let pub: string;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'palisade-inspect-'));
  signed = join(work, 'signed.tar.gz');
  pub = join(work, 'ec.pub.pem');
  writeFileSync(pub, ec.publicKey.export({ type: 'spki', format: 'pem' }));
  const built = await bundleArchive(BUNDLE, {
    revision: 'v7',
    signing: { key: ec.privateKey, algorithm: 'ES256', keyId: 'ci' },
    provenance: {
      builder: 'palisade build',
      builtAt: '2026-01-01T00:00:00.000Z',
      versions: { palisade: '0.1.0', opa: '1.22.2', node: '24' },
      inputsDigest: 'sha256:ab',
      inputs: [{ path: 'a.rego', sha256: 'cd' }],
    },
  });
  writeFileSync(signed, built.bytes);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('prints the revision, the verified signature, the policies and the provenance', async () => {
  const run = io();
  const code = await inspectCommand(
    [
      signed,
      '--verification-key',
      pub,
      '--verification-alg',
      'ES256',
      '--verification-key-id',
      'ci',
    ],
    run,
  );
  expect({ code, err: run.err() }).toEqual({ code: 0, err: '' });
  expect(run.out()).toMatch(/^revision {3}v7$/m);
  expect(run.out()).toMatch(/^signature {2}verified: ES256, key ci$/m);
  expect(run.out()).toMatch(/^policies {3}\d+: .*disallow-privileged/m);
  expect(run.out()).toMatch(
    /^built {6}2026-01-01T00:00:00.000Z by palisade 0.1.0, opa 1.22.2, node 24$/m,
  );
});

it('says a signature was not verified without a key; --format json gives the manifest', async () => {
  const run = io();
  expect(await inspectCommand([signed, '--format', 'json'], run)).toBe(0);
  const doc = JSON.parse(run.out()) as {
    revision: string;
    signature: string;
    manifest: { wasm: unknown };
  };
  expect(doc).toMatchObject({ revision: 'v7', signature: 'present, not verified' });
  expect(doc.manifest.wasm).toEqual([
    { entrypoint: 'palisade/violations', module: '/policy.wasm' },
  ]);
});

it('exits 1 naming the reason for a tampered bundle, or one signed by another key id', async () => {
  const files = readTarGz(readFileSync(signed), 'test');
  files.set('data.json', Buffer.from('{"policies": {}}'));
  const tampered = join(work, 'tampered.tar.gz');
  writeFileSync(tampered, writeTarGz([...files].map(([name, data]) => ({ name, data }))));
  const run = io();
  expect(
    await inspectCommand(
      [
        tampered,
        '--verification-key',
        pub,
        '--verification-alg',
        'ES256',
        '--verification-key-id',
        'ci',
      ],
      run,
    ),
  ).toBe(1);
  expect(run.err()).toMatch(
    /^palisade inspect: bundle .*tampered\.tar\.gz refused: data\.json: its SHA-256 digest .* \(tampered\)\n$/,
  );

  const other = io();
  expect(
    await inspectCommand([signed, '--verification-key', pub, '--verification-alg', 'ES256'], other),
  ).toBe(1);
  expect(other.err()).toMatch(
    /signed by key id "ci", which is not a trusted key \(default\) \(unknown-key-id\)/,
  );
});
