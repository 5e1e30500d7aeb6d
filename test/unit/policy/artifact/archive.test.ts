// readBundleArchive's refusals, one reason each, on archives made here from a small bundle
// directory (bytes standing in for the wasm: nothing is compiled), and what it accepts: signed
// by any trusted key (rotation), unsigned when no key is configured or none is required.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bundleArchive,
  readBundleArchive,
  type ArtifactReason,
  type ReadArchiveOptions,
  type SigningAlgorithm,
  type VerificationKey,
  verificationKeyProblem,
} from '../../../../src/policy/artifact';
import { readTarGz, writeTarGz } from '../../../../src/policy/artifact/tar';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const trusted: VerificationKey[] = [
  { keyId: 'old', key: other.publicKey, algorithm: 'RS256' },
  {
    keyId: 'rsa',
    key: rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string,
    algorithm: 'RS256',
  },
  { keyId: 'ec', key: ec.publicKey, algorithm: 'ES256' },
];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-archive-'));
  writeFileSync(join(dir, 'policy.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  writeFileSync(join(dir, 'data.json'), '{"settings": {"limit": 1.0}}\n');
  writeFileSync(
    join(dir, 'palisade.json'),
    JSON.stringify({
      policies: [{ id: 'p', package: 'policies.p', action: 'deny' }],
      builtAt: '2026-01-01T00:00:00.000Z',
    }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function signed(
  alg: SigningAlgorithm = 'RS256',
  key: KeyObject = rsa.privateKey,
  keyId = 'rsa',
  claims?: Record<string, unknown>,
) {
  return (await bundleArchive(dir, { signing: { key, algorithm: alg, keyId, claims } })).bytes;
}

function edit(archive: Buffer, change: (files: Map<string, Buffer>) => void): Buffer {
  const files = readTarGz(archive, 'test');
  change(files);
  return writeTarGz([...files].map(([name, data]) => ({ name, data })));
}

/** A .signatures.json whose JWT has this header and payload, signed by the RSA key. */
function token(header: object, payload: object, key: KeyObject = rsa.privateKey): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

const TRUSTED: ReadArchiveOptions = { publicKeys: trusted };

async function refusal(bytes: Buffer, opts: ReadArchiveOptions = TRUSTED) {
  const err = await readBundleArchive(bytes, { source: 'oci://r/b:1', ...opts }).then(
    () => undefined,
    (e: unknown) => e as { code: string; reason: ArtifactReason; message: string },
  );
  return err && { code: err.code, reason: err.reason, message: err.message };
}

describe('accepts', () => {
  it.each<[SigningAlgorithm, KeyObject, string]>([
    ['RS256', rsa.privateKey, 'rsa'],
    ['ES256', ec.privateKey, 'ec'],
  ])('a bundle signed with %s by a trusted key, naming the key', async (alg, key, keyId) => {
    const read = await readBundleArchive(await signed(alg, key, keyId), { publicKeys: trusted });
    expect(read.signature).toEqual({ keyId, algorithm: alg, claims: { keyid: keyId } });
    expect(read.revision).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(read.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(read.manifest.roots).toEqual(['palisade', 'policies', 'settings']);
    expect((read.manifest.metadata!.palisade as { policies: unknown[] }).policies).toHaveLength(1);
  });

  it.each<[SigningAlgorithm, () => { privateKey: KeyObject; publicKey: KeyObject }]>([
    ['PS256', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
    ['ES384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' })],
    ['EdDSA', () => generateKeyPairSync('ed25519')],
  ])('%s too', async (alg, make) => {
    const pair = make();
    const read = await readBundleArchive(await signed(alg, pair.privateKey, 'k'), {
      publicKeys: [{ keyId: 'k', key: pair.publicKey, algorithm: alg }],
    });
    expect(read.signature?.algorithm).toBe(alg);
  });

  it('an unsigned bundle when no key is configured, or a signature is not required', async () => {
    const { bytes } = await bundleArchive(dir);
    await expect(readBundleArchive(bytes)).resolves.toMatchObject({ signature: undefined });
    await expect(
      readBundleArchive(bytes, { publicKeys: trusted, required: false }),
    ).resolves.toMatchObject({ signature: undefined });
    // ...but a signature present is still checked against the keys given.
    const bad = edit(await signed(), (f) => f.set('data.json', Buffer.from('{}')));
    expect(await refusal(bad, { publicKeys: trusted, required: false })).toMatchObject({
      reason: 'tampered',
    });
  });

  it('the same content gives the same revision; a content change, another', async () => {
    const a = await bundleArchive(dir);
    const b = await bundleArchive(dir, { provenance: { builtAt: 'later' } });
    expect(b.revision).toBe(a.revision);
    expect(b.digest).not.toBe(a.digest);
    writeFileSync(join(dir, 'data.json'), '{"settings": {"limit": 2.0}}\n');
    try {
      expect((await bundleArchive(dir)).revision).not.toBe(a.revision);
    } finally {
      writeFileSync(join(dir, 'data.json'), '{"settings": {"limit": 1.0}}\n');
    }
  });

  it('a configured key id over the one the JWT names', async () => {
    const read = await readBundleArchive(await signed('RS256', rsa.privateKey, 'whatever'), {
      publicKeys: trusted,
      keyId: 'rsa',
    });
    expect(read.signature?.keyId).toBe('rsa');
  });
});

describe('refuses, naming the reason', () => {
  const files = (b: Buffer) => readTarGz(b, 'test');
  const payloadOf = async () => {
    const sig = JSON.parse(
      files(await signed())
        .get('.signatures.json')!
        .toString(),
    ) as { signatures: string[] };
    return JSON.parse(Buffer.from(sig.signatures[0]!.split('.')[1]!, 'base64url').toString()) as {
      files: object[];
    };
  };
  const withSignatures = async (doc: unknown) =>
    edit(await signed(), (f) => f.set('.signatures.json', Buffer.from(JSON.stringify(doc))));

  it.each<[string, () => Promise<Buffer>, ArtifactReason, RegExp, ReadArchiveOptions]>([
    // (each row has all five: jest hands a shorter row's test a done callback instead)
    [
      'no .signatures.json',
      async () => (await bundleArchive(dir)).bytes,
      'unsigned',
      /has no \.signatures\.json; a signature by key old, rsa, ec is required/,
      TRUSTED,
    ],
    [
      'an empty signature list',
      () => withSignatures({ signatures: [] }),
      'unsigned',
      /holds no JWT/,
      TRUSTED,
    ],
    [
      'two JWTs',
      async () => withSignatures({ signatures: ['a.b.c', 'a.b.c'] }),
      'signature-invalid',
      /holds 2 JWTs/,
      TRUSTED,
    ],
    [
      'a JWT that is not one',
      () => withSignatures({ signatures: ['not-a-jwt'] }),
      'signature-invalid',
      /a JWT has 3 parts/,
      TRUSTED,
    ],
    [
      'another signing plugin',
      () => withSignatures({ signatures: ['a.b.c'], plugin: 'kms' }),
      'signature-invalid',
      /signing plugin "kms" is not supported/,
      TRUSTED,
    ],
    [
      'alg none',
      async () =>
        withSignatures({
          signatures: [
            `${token({ alg: 'none', kid: 'rsa' }, await payloadOf())
              .split('.')
              .slice(0, 2)
              .join('.')}.`,
          ],
        }),
      'algorithm-unsupported',
      /alg is "none"; a bundle must be signed/,
      TRUSTED,
    ],
    [
      'HS256',
      async () =>
        withSignatures({ signatures: [token({ alg: 'HS256', kid: 'rsa' }, await payloadOf())] }),
      'algorithm-unsupported',
      /alg HS256 is not supported/,
      TRUSTED,
    ],
    [
      'a JWT naming no key id',
      async () =>
        withSignatures({
          signatures: [token({ alg: 'RS256' }, { ...(await payloadOf()), keyid: undefined })],
        }),
      'unknown-key-id',
      /names no key id/,
      TRUSTED,
    ],
    [
      'an unknown key id',
      () => signed('RS256', rsa.privateKey, 'stranger'),
      'unknown-key-id',
      /key id "stranger", which is not a trusted key \(old, rsa, ec\)/,
      TRUSTED,
    ],
    [
      "an algorithm other than the key's",
      () => signed('ES256', ec.privateKey, 'rsa'),
      'algorithm-mismatch',
      /signed with ES256, but key rsa is configured for RS256/,
      TRUSTED,
    ],
    [
      'a signature by another key',
      () => signed('RS256', other.privateKey, 'rsa'),
      'wrong-key',
      /does not verify with key rsa/,
      TRUSTED,
    ],
    [
      'a forged payload',
      async () => {
        const [h, , s] = JSON.parse(
          files(await signed())
            .get('.signatures.json')!
            .toString(),
        ).signatures[0].split('.');
        const forged = Buffer.from(JSON.stringify({ files: [], keyid: 'rsa' })).toString(
          'base64url',
        );
        return withSignatures({ signatures: [`${h}.${forged}.${s}`] });
      },
      'wrong-key',
      /does not verify/,
      TRUSTED,
    ],
    [
      'a scope not required',
      () => signed('RS256', rsa.privateKey, 'rsa', { scope: 'staging' }),
      'scope-mismatch',
      /scope "staging", "" required/,
      TRUSTED,
    ],
    [
      'an expired signature',
      () => signed('RS256', rsa.privateKey, 'rsa', { exp: 1_700_000_000 }),
      'expired',
      /expired at 2023-11-14T22:13:20.000Z/,
      TRUSTED,
    ],
    [
      'a signature not yet valid',
      () => signed('RS256', rsa.privateKey, 'rsa', { nbf: 4_000_000_000 }),
      'not-yet-valid',
      /valid from 2096/,
      TRUSTED,
    ],
    [
      'a tampered policy.wasm',
      async () => edit(await signed(), (f) => f.set('policy.wasm', Buffer.from('evil'))),
      'tampered',
      /policy\.wasm: its SHA-256 digest is [0-9a-f]{64}, the signature says/,
      TRUSTED,
    ],
    [
      'a tampered manifest',
      async () =>
        edit(await signed(), (f) =>
          f.set(
            '.manifest',
            Buffer.from(f.get('.manifest')!.toString().replace('"palisade"', '"other"')),
          ),
        ),
      'tampered',
      /\.manifest: its SHA-256 digest/,
      TRUSTED,
    ],
    [
      'a file not listed',
      async () => edit(await signed(), (f) => f.set('extra.rego', Buffer.from('package extra'))),
      'unlisted-file',
      /extra\.rego is not listed in the signature/,
      TRUSTED,
    ],
    [
      'a listed file missing',
      async () => edit(await signed(), (f) => f.delete('data.json')),
      'missing-file',
      /data\.json listed in the signature but not in the bundle/,
      TRUSTED,
    ],
    [
      'an unknown file hash algorithm',
      async () => {
        const payload = await payloadOf();
        payload.files = payload.files.map((f) => ({ ...f, algorithm: 'SHA3-256' }));
        return withSignatures({ signatures: [token({ alg: 'RS256', kid: 'rsa' }, payload)] });
      },
      'hash-unsupported',
      /unsupported hash algorithm "SHA3-256"/,
      TRUSTED,
    ],
    [
      'a signature required with no key configured',
      async () => signed(),
      'unknown-key-id',
      /none configured/,
      { publicKeys: [], required: true },
    ],
  ])('%s', async (_what, make, reason, message, opts) => {
    const err = await refusal(await make(), opts);
    expect(err).toEqual({
      code: 'PAL_ERR_BUNDLE_VERIFY',
      reason,
      message: expect.stringMatching(
        new RegExp(`^bundle oci://r/b:1 refused: .*${message.source}`),
      ),
    });
  });

  it('a trusted key that cannot verify: key-invalid, naming it (verificationKeyProblem says so at start)', async () => {
    const broken: VerificationKey = { keyId: 'rsa', key: 'not a key', algorithm: 'RS256' };
    expect(verificationKeyProblem(broken)).toMatch(/^key rsa: not a PEM public key/);
    expect(verificationKeyProblem({ keyId: 'e', key: rsa.publicKey, algorithm: 'ES256' })).toBe(
      'key e: ES256 needs an EC key on prime256v1, not rsa',
    );
    expect(verificationKeyProblem(trusted[1]!)).toBeUndefined();
    expect(await refusal(await signed(), { publicKeys: [broken] })).toMatchObject({
      code: 'PAL_ERR_BUNDLE_VERIFY',
      reason: 'key-invalid',
      message: expect.stringContaining('key rsa: not a PEM public key'),
    });
  });

  it('a file excluded from verification may differ (OPA exclude_files)', async () => {
    const bytes = edit(await signed(), (f) => f.set('notes/readme.txt', Buffer.from('anything')));
    await expect(
      readBundleArchive(bytes, { publicKeys: trusted, exclude: ['notes/*'] }),
    ).resolves.toBeDefined();
  });

  it('a manifest naming a wasm module the archive lacks, or not JSON', async () => {
    const noWasm = edit((await bundleArchive(dir)).bytes, (f) => f.delete('policy.wasm'));
    expect(await refusal(noWasm, {})).toMatchObject({
      code: 'PAL_ERR_BUNDLE_ARCHIVE',
      reason: 'manifest-invalid',
      message: expect.stringContaining('wasm module /policy.wasm'),
    });
    const broken = edit((await bundleArchive(dir)).bytes, (f) =>
      f.set('.manifest', Buffer.from('{')),
    );
    expect(await refusal(broken, {})).toMatchObject({
      reason: 'manifest-invalid',
      message: expect.stringContaining('.manifest: not JSON'),
    });
    const badRoots = edit((await bundleArchive(dir)).bytes, (f) =>
      f.set('.manifest', Buffer.from('{"roots": "x"}')),
    );
    expect(await refusal(badRoots, {})).toMatchObject({
      reason: 'manifest-invalid',
      message: expect.stringContaining('roots is not a list'),
    });
  });
});
