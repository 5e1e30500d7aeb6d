// credentialsFromFile: a Docker config.json's entry for a registry, by host[:port] however the
// key is written (scheme, /v1/ path, Docker Hub's names), as auth, username/password or
// identitytoken; unreadable files and unusable entries refused naming the file and the key.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OciError } from '../../../../src/bundles/oci';
import { credentialsFromFile, describeCredentials } from '../../../../src/bundles/oci/credentials';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-creds-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(content: unknown): string {
  const f = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

function refusal(f: () => unknown): OciError {
  try {
    f();
  } catch (err) {
    if (err instanceof OciError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('credentialsFromFile', () => {
  it('decodes auth (base64 of user:password, a colon in the password kept)', () => {
    const f = file({ auths: { 'r.io:5000': { auth: b64('alice:pa:ss') } } });
    expect(credentialsFromFile(f, 'r.io:5000')).toEqual({ username: 'alice', password: 'pa:ss' });
  });

  it('matches keys written with a scheme and path, and Docker Hub by any of its names', () => {
    const f = file({
      auths: {
        'https://r.io/v1/': { username: 'u', password: 'p' },
        'https://index.docker.io/v1/': { auth: b64('hub:secret') },
      },
    });
    expect(credentialsFromFile(f, 'r.io')).toEqual({ username: 'u', password: 'p' });
    expect(credentialsFromFile(f, 'docker.io')).toEqual({ username: 'hub', password: 'secret' });
  });

  it('prefers an identity token', () => {
    const f = file({ auths: { 'r.io': { auth: b64('<token>:'), identitytoken: 'refresh-me' } } });
    expect(credentialsFromFile(f, 'r.io')).toEqual({ identityToken: 'refresh-me' });
  });

  it('gives undefined for a registry it has no entry for', () => {
    expect(
      credentialsFromFile(file({ auths: { other: { auth: b64('a:b') } } }), 'r.io'),
    ).toBeUndefined();
    expect(credentialsFromFile(file({}), 'r.io')).toBeUndefined();
  });

  it('refuses credential helpers it cannot run, naming them', () => {
    const err = refusal(() => credentialsFromFile(file({ credsStore: 'desktop' }), 'r.io'));
    expect(err.reason).toBe('credentials');
    expect(err.message).toContain('credential helpers');
  });

  it.each([
    ['not json', 'not JSON'],
    [[1, 2], 'not a JSON object'],
    [{ auths: [] }, '"auths" is not an object'],
    [
      { auths: { 'r.io': { auth: b64('nocolon') } } },
      'auths["r.io"]: "auth" is not base64 of "user:password"',
    ],
    [{ auths: { 'r.io': {} } }, 'auths["r.io"]: no "auth"'],
  ])('refuses %j naming the problem', (content, problem) => {
    const f = file(content);
    const err = refusal(() => credentialsFromFile(f, 'r.io'));
    expect(err).toMatchObject({ code: 'PAL_ERR_OCI', reason: 'credentials' });
    expect(err.message).toContain(f);
    expect(err.message).toContain(problem);
  });

  it('refuses a missing file naming it', () => {
    const err = refusal(() => credentialsFromFile(join(dir, 'none.json'), 'r.io'));
    expect(err.message).toContain('none.json');
    expect(err.message).toContain('ENOENT');
  });

  it('describes credentials without the secret', () => {
    expect(describeCredentials({ username: 'alice', password: 'secret' })).toBe('as user "alice"');
    expect(describeCredentials({ identityToken: 'secret' })).not.toContain('secret');
    expect(describeCredentials(undefined)).toBe('anonymously');
  });
});
