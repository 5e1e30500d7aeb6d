// The bearer token flow on the real registry: Distribution with `auth: token` answers 401 with
// `WWW-Authenticate: Bearer realm,service,scope`; pushBundle and pullBundle get a token from the
// realm (test/support/registry.ts's token server, checking the user by Basic auth) for
// `repository:NAME:pull[,push]` and send it. The real oras reads what Palisade pushed there.
// A wrong password is refused by the token server with 401, named; a pull-only user may pull
// but not push.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OciError, pullBundle, pushBundle } from '../../src/bundles/oci';
import { oras, startRegistry, type TestRegistry } from '../support/registry';
import { ROOT } from '../support/root';

let registry: TestRegistry;
let bundle: Buffer;

beforeAll(async () => {
  registry = await startRegistry({
    auth: 'token',
    users: { ci: 'ci-secret', reader: 'reader-secret' },
    pullOnly: ['reader'],
    identityTokens: { 'refresh-ci': 'ci' },
  });
  const src = join(registry.dir, 'src');
  mkdirSync(src);
  writeFileSync(join(src, 'p.rego'), 'package p\n\nallow := true\n');
  execFileSync(join(ROOT, '.tools', 'bin', 'opa'), [
    'build',
    '-b',
    src,
    '-o',
    join(registry.dir, 'b.tar.gz'),
  ]);
  bundle = readFileSync(join(registry.dir, 'b.tar.gz'));
});

afterAll(async () => {
  await registry?.remove();
});

async function refusal(p: Promise<unknown>): Promise<OciError> {
  const thrown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(thrown instanceof OciError)) throw new Error(`expected an OciError, got ${String(thrown)}`);
  return thrown;
}

const ci = () => ({
  credentials: { username: 'ci', password: 'ci-secret' },
  caFile: registry.caFile,
});

it('pushes and pulls with a token for the repository scope', async () => {
  const pushed = await pushBundle(registry.ref('team/policies:v1'), bundle, ci());
  const pushScopes = registry.tokenRequests().map((r) => `${r.user} ${r.scope}`);
  expect(pushScopes).toContain('ci repository:team/policies:pull,push');

  const result = await pullBundle(registry.ref('team/policies:v1'), {
    credentialsFile: registry.writeCredentials('reader', 'reader-secret'),
    caFile: registry.caFile,
  });
  expect(result.unchanged).toBe(false);
  if (!result.unchanged) expect(result.bytes.equals(bundle)).toBe(true);
  expect(result.digest).toBe(pushed.digest);
  expect(registry.tokenRequests().map((r) => `${r.user} ${r.scope}`)).toContain(
    'reader repository:team/policies:pull',
  );

  const unchanged = await pullBundle(registry.ref('team/policies:v1'), {
    ...ci(),
    lastDigest: pushed.digest,
  });
  expect(unchanged.unchanged).toBe(true);
});

it('an identity token (a Docker config identitytoken) is exchanged by the refresh_token grant', async () => {
  await pushBundle(registry.ref('team/identity:v1'), bundle, ci());
  const file = join(registry.dir, 'identity.docker-config.json');
  writeFileSync(
    file,
    JSON.stringify({ auths: { [registry.host]: { identitytoken: 'refresh-ci' } } }),
  );
  const result = await pullBundle(registry.ref('team/identity:v1'), {
    credentialsFile: file,
    caFile: registry.caFile,
  });
  expect(result.unchanged).toBe(false);
  if (!result.unchanged) expect(result.bytes.equals(bundle)).toBe(true);
  const wrong = await refusal(
    pullBundle(registry.ref('team/identity:v1'), {
      credentials: { identityToken: 'refresh-unknown' },
      caFile: registry.caFile,
    }),
  );
  expect(wrong.reason).toBe('unauthorized');
  expect(wrong.message).toContain('with an identity token');
});

it('a poll reuses its token until it expires: no token request for an unchanged bundle', async () => {
  const pushed = await pushBundle(registry.ref('team/polled:v1'), bundle, ci());
  await pullBundle(registry.ref('team/polled:v1'), ci());
  const before = registry.tokenRequests().length;
  const again = await pullBundle(registry.ref('team/polled:v1'), {
    ...ci(),
    lastDigest: pushed.digest,
  });
  expect(again.unchanged).toBe(true);
  expect(registry.tokenRequests()).toHaveLength(before);
});

it('oras pulls what Palisade pushed through the token flow', async () => {
  await pushBundle(registry.ref('team/policies:for-oras'), bundle, ci());
  const out = join(registry.dir, 'oras-out');
  mkdirSync(out, { recursive: true });
  const pull = await oras(
    [
      'pull',
      '--ca-file',
      registry.caFile,
      '-u',
      'ci',
      '-p',
      'ci-secret',
      '-o',
      out,
      `${registry.host}/team/policies:for-oras`,
    ],
    registry.dir,
  );
  expect(pull).toMatchObject({ code: 0 });
  expect(readFileSync(join(out, 'bundle.tar.gz')).equals(bundle)).toBe(true);
});

it('no credentials: the anonymous token grants nothing, credentials needed', async () => {
  const err = await refusal(
    pullBundle(registry.ref('team/policies:v1'), { caFile: registry.caFile }),
  );
  expect(err.reason).toBe('unauthorized');
  expect(err.message).toContain('credentials needed');
  expect(registry.tokenRequests().some((r) => r.user === undefined)).toBe(true);
});

it('a wrong password is refused by the token server: 401, named', async () => {
  const err = await refusal(
    pullBundle(registry.ref('team/policies:v1'), {
      credentials: { username: 'ci', password: 'nope' },
      caFile: registry.caFile,
    }),
  );
  expect(err.reason).toBe('unauthorized');
  expect(err.httpStatus).toBe(401);
  expect(err.message).toContain('token server https://127.0.0.1:');
  expect(err.message).toContain('repository:team/policies:pull');
  expect(err.message).toContain('user "ci"');
});

it('a pull-only user may not push', async () => {
  const err = await refusal(
    pushBundle(registry.ref('team/policies:v2'), bundle, {
      credentials: { username: 'reader', password: 'reader-secret' },
      caFile: registry.caFile,
    }),
  );
  expect(err.reason).toBe('denied');
  expect(err.message).toContain('insufficient_scope');
  expect(err.message).toContain('does not grant pull,push on team/policies');
});
