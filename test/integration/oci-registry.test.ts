// pushBundle and pullBundle against the real registry (CNCF Distribution over TLS with htpasswd,
// test/support/registry.ts) and the real oras both ways: oras pulls what Palisade pushed (the
// same bytes, the same manifest digest), Palisade pulls what oras pushed; the artifact has OPA's
// media types; a conditional pull with the last digest downloads nothing; a wrong password, an
// unknown tag and an untrusted CA are refused naming the reason. The bundle is a real one made
// by the real opa (`opa build -b`).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import {
  CONFIG_MEDIA_TYPE,
  LAYER_MEDIA_TYPE,
  MANIFEST_MEDIA_TYPE,
  OciError,
  pullBundle,
  pushBundle,
  TITLE_ANNOTATION,
  type PullResult,
} from '../../src/bundles/oci';
import { oras, startRegistry, type TestRegistry } from '../support/registry';
import { ROOT } from '../support/root';

const OPA = join(ROOT, '.tools', 'bin', 'opa');

let registry: TestRegistry;
let bundle: Buffer;
let auth: { credentials: { username: string; password: string }; caFile: string };

beforeAll(async () => {
  registry = await startRegistry({
    auth: 'htpasswd',
    users: { alice: 'alice-secret', bob: 'bob-secret' },
  });
  auth = { credentials: { username: 'alice', password: 'alice-secret' }, caFile: registry.caFile };
  bundle = opaBundle(registry.dir, 'a', 'package a\n\nallow := true\n');
});

afterAll(async () => {
  await registry?.remove();
});

/** A bundle made by the real `opa build -b` from one Rego file. */
function opaBundle(dir: string, name: string, rego: string): Buffer {
  const src = join(dir, `src-${name}`);
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, `${name}.rego`), rego);
  const out = join(dir, `${name}.tar.gz`);
  execFileSync(OPA, ['build', '-b', src, '-o', out]);
  return readFileSync(out);
}

function pulled(result: PullResult): Extract<PullResult, { unchanged: false }> {
  if (result.unchanged) throw new Error(`expected a download, got unchanged ${result.digest}`);
  return result;
}

async function refusal(p: Promise<unknown>): Promise<OciError> {
  const thrown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(thrown instanceof OciError)) throw new Error(`expected an OciError, got ${String(thrown)}`);
  return thrown;
}

/** GET of a raw manifest as the registry stores it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the manifest JSON as stored
function rawManifest(repo: string, tag: string): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    const req = request(
      `https://${registry.host}/v2/${repo}/manifests/${tag}`,
      {
        ca: registry.caPem,
        headers: {
          Accept: MANIFEST_MEDIA_TYPE,
          Authorization: `Basic ${Buffer.from('alice:alice-secret').toString('base64')}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function deleteBlob(repo: string, digest: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `https://${registry.host}/v2/${repo}/blobs/${digest}`,
      {
        method: 'DELETE',
        ca: registry.caPem,
        headers: { Authorization: `Basic ${Buffer.from('alice:alice-secret').toString('base64')}` },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('push and pull on the real registry (TLS, htpasswd)', () => {
  it('pulls back the bytes it pushed, as an artifact with the media types OPA reads', async () => {
    const pushed = await pushBundle(registry.ref('policies/a:v1'), bundle, {
      ...auth,
      annotations: { 'org.opencontainers.image.revision': 'r1' },
    });
    expect(pushed.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    const result = pulled(await pullBundle(registry.ref('policies/a:v1'), auth));
    expect(result.bytes.equals(bundle)).toBe(true);
    expect(result.digest).toBe(pushed.digest);
    expect(result.layerDigest).toBe(pushed.layerDigest);

    const manifest = await rawManifest('policies/a', 'v1');
    expect(manifest.mediaType).toBe(MANIFEST_MEDIA_TYPE);
    expect(manifest.config.mediaType).toBe(CONFIG_MEDIA_TYPE);
    expect(manifest.layers).toHaveLength(1);
    expect(manifest.layers[0].mediaType).toBe(LAYER_MEDIA_TYPE);
    expect(manifest.layers[0].annotations[TITLE_ANNOTATION]).toBe('bundle.tar.gz');
    expect(manifest.annotations['org.opencontainers.image.revision']).toBe('r1');

    // By digest: the same bundle.
    const byDigest = pulled(await pullBundle(registry.ref(`policies/a@${pushed.digest}`), auth));
    expect(byDigest.bytes.equals(bundle)).toBe(true);
  });

  it('pushing the same bundle again gives the same manifest digest', async () => {
    const first = await pushBundle(registry.ref('policies/same:one'), bundle, auth);
    const second = await pushBundle(registry.ref('policies/same:two'), bundle, auth);
    expect(second.digest).toBe(first.digest);
  });

  it('a conditional pull with the last digest downloads nothing; a new push downloads', async () => {
    const repo = 'policies/conditional';
    const pushed = await pushBundle(registry.ref(`${repo}:live`), bundle, auth);
    const first = pulled(await pullBundle(registry.ref(`${repo}:live`), auth));
    expect(first.digest).toBe(pushed.digest);

    // With the layer gone from the repository, only a pull that does not download it succeeds.
    expect(await deleteBlob(repo, first.layerDigest)).toBe(202);
    const again = await pullBundle(registry.ref(`${repo}:live`), {
      ...auth,
      lastDigest: first.digest,
    });
    expect(again).toEqual({
      unchanged: true,
      digest: first.digest,
      reference: registry.ref(`${repo}:live`),
    });
    const full = await refusal(pullBundle(registry.ref(`${repo}:live`), auth));
    expect(full.reason).toBe('not_found');
    expect(full.message).toContain(`/blobs/${first.layerDigest}`);

    // A new bundle under the same tag: a new digest, downloaded.
    const b = opaBundle(registry.dir, 'b', 'package b\n\nallow := false\n');
    const repushed = await pushBundle(registry.ref(`${repo}:live`), b, auth);
    const changed = pulled(
      await pullBundle(registry.ref(`${repo}:live`), { ...auth, lastDigest: first.digest }),
    );
    expect(changed.digest).toBe(repushed.digest);
    expect(changed.bytes.equals(b)).toBe(true);
  });

  it('reads the credentials from a Docker config.json', async () => {
    await pushBundle(registry.ref('policies/file:v1'), bundle, {
      credentialsFile: registry.writeCredentials('bob', 'bob-secret'),
      caFile: registry.caFile,
    });
    const result = pulled(
      await pullBundle(registry.ref('policies/file:v1'), {
        credentialsFile: registry.credentialsFile,
        caFile: registry.caFile,
      }),
    );
    expect(result.bytes.equals(bundle)).toBe(true);
  });
});

describe('refusals name the reason', () => {
  beforeAll(async () => {
    await pushBundle(registry.ref('policies/refuse:v1'), bundle, auth);
  });

  it('a wrong password: 401, naming the user', async () => {
    const err = await refusal(
      pullBundle(registry.ref('policies/refuse:v1'), {
        credentials: { username: 'alice', password: 'wrong' },
        caFile: registry.caFile,
      }),
    );
    expect(err.code).toBe('PAL_ERR_OCI');
    expect(err.reason).toBe('unauthorized');
    expect(err.httpStatus).toBe(401);
    expect(err.message).toContain('401 Unauthorized');
    expect(err.message).toContain('user "alice"');
    expect(err.message).not.toContain('wrong');
  });

  it('no credentials: 401', async () => {
    const err = await refusal(
      pullBundle(registry.ref('policies/refuse:v1'), { caFile: registry.caFile }),
    );
    expect(err.reason).toBe('unauthorized');
    expect(err.message).toContain('anonymously');
  });

  it('an unknown tag: 404, naming the manifest', async () => {
    const err = await refusal(pullBundle(registry.ref('policies/refuse:nope'), auth));
    expect(err.reason).toBe('not_found');
    expect(err.httpStatus).toBe(404);
    expect(err.message).toContain('/v2/policies/refuse/manifests/nope');
    expect(err.message).toContain('MANIFEST_UNKNOWN');
  });

  it('an untrusted CA: the TLS handshake is refused', async () => {
    const err = await refusal(
      pullBundle(registry.ref('policies/refuse:v1'), { credentials: auth.credentials }),
    );
    expect(err.reason).toBe('tls');
    expect(err.message).toContain('caFile');
    const other = await startRegistry({ auth: 'none' });
    try {
      const wrongCa = await refusal(
        pullBundle(registry.ref('policies/refuse:v1'), { ...auth, caFile: other.caFile }),
      );
      expect(wrongCa.reason).toBe('tls');
    } finally {
      await other.remove();
    }
  });

  it('a push of bytes that are not a gzipped bundle', async () => {
    const err = await refusal(
      pushBundle(registry.ref('policies/refuse:v2'), Buffer.from('{"not": "gzip"}'), auth),
    );
    expect(err.reason).toBe('not_a_bundle');
  });
});

describe('a registry that goes down and comes back', () => {
  it('is a network failure while down; the same bundle is there when it is back', async () => {
    const pushed = await pushBundle(registry.ref('policies/outage:v1'), bundle, auth);
    await registry.stop();
    const down = await refusal(pullBundle(registry.ref('policies/outage:v1'), auth));
    expect(down.reason).toBe('network');
    expect(down.message).toContain('ECONNREFUSED');
    await registry.start();
    const back = await pullBundle(registry.ref('policies/outage:v1'), {
      ...auth,
      lastDigest: pushed.digest,
    });
    expect(back).toMatchObject({ unchanged: true, digest: pushed.digest });
  });
});

describe('interop with the real oras', () => {
  const login = () => ['--ca-file', registry.caFile, '-u', 'alice', '-p', 'alice-secret'];

  it('oras pulls what Palisade pushed: the same bytes and manifest digest', async () => {
    const pushed = await pushBundle(registry.ref('policies/to-oras:v1'), bundle, auth);
    const out = join(registry.dir, 'oras-out');
    mkdirSync(out, { recursive: true });
    const pull = await oras(
      ['pull', ...login(), '-o', out, `${registry.host}/policies/to-oras:v1`],
      registry.dir,
    );
    expect(pull).toMatchObject({ code: 0 });
    expect(readFileSync(join(out, 'bundle.tar.gz')).equals(bundle)).toBe(true);
    const resolve = await oras(
      ['resolve', ...login(), `${registry.host}/policies/to-oras:v1`],
      registry.dir,
    );
    expect(resolve.stdout.trim()).toBe(pushed.digest);
  });

  it('Palisade pulls what oras pushed with the media types of OPA docs', async () => {
    const work = join(registry.dir, 'oras-push');
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'bundle.tar.gz'), bundle);
    writeFileSync(join(work, 'config.json'), '{}');
    const push = await oras(
      [
        'push',
        ...login(),
        `${registry.host}/policies/from-oras:v1`,
        '--config',
        `config.json:${CONFIG_MEDIA_TYPE}`,
        `bundle.tar.gz:${LAYER_MEDIA_TYPE}`,
      ],
      work,
    );
    expect(push).toMatchObject({ code: 0 });
    const result = pulled(await pullBundle(registry.ref('policies/from-oras:v1'), auth));
    expect(result.bytes.equals(bundle)).toBe(true);
    const digest = await oras(
      ['resolve', ...login(), `${registry.host}/policies/from-oras:v1`],
      registry.dir,
    );
    expect(result.digest).toBe(digest.stdout.trim());
  });

  it('an oras artifact without a tar+gzip layer is refused as not a bundle', async () => {
    const work = join(registry.dir, 'oras-other');
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'notes.txt'), 'not a bundle');
    const push = await oras(
      ['push', ...login(), `${registry.host}/policies/other:v1`, 'notes.txt'],
      work,
    );
    expect(push).toMatchObject({ code: 0 });
    const err = await refusal(pullBundle(registry.ref('policies/other:v1'), auth));
    expect(err.reason).toBe('not_a_bundle');
    expect(err.message).toContain(LAYER_MEDIA_TYPE);
  });
});
