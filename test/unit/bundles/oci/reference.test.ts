// parseOciReference: the distribution spec's grammar for host, repository, tag and digest, the
// default tag, Docker Hub's host and library/ prefix, and refusals that name the bad part.
import { OciError } from '../../../../src/bundles/oci';
import {
  formatOciReference,
  manifestReference,
  parseOciReference,
} from '../../../../src/bundles/oci/reference';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('parseOciReference', () => {
  it.each([
    [
      'oci://registry.example.com/team/policies:v1',
      {
        registry: 'registry.example.com',
        repository: 'team/policies',
        tag: 'v1',
        digest: undefined,
      },
    ],
    [
      'oci://127.0.0.1:5000/p:latest',
      { registry: '127.0.0.1:5000', repository: 'p', tag: 'latest' },
    ],
    [
      'oci://localhost:5000/a/b/c',
      { registry: 'localhost:5000', repository: 'a/b/c', tag: 'latest' },
    ],
    [`oci://r.io/p@${DIGEST}`, { repository: 'p', tag: undefined, digest: DIGEST }],
    [`oci://r.io/p:v2@${DIGEST}`, { repository: 'p', tag: 'v2', digest: DIGEST }],
    ['oci://[::1]:5000/p:v1', { registry: '[::1]:5000', endpoint: '[::1]:5000', tag: 'v1' }],
    [
      'oci://r.io/my-org/my_policies.v2:1.0.0-rc_1',
      { repository: 'my-org/my_policies.v2', tag: '1.0.0-rc_1' },
    ],
  ])('%s', (text, expected) => {
    expect(parseOciReference(text)).toMatchObject(expected);
  });

  it('serves docker.io from registry-1.docker.io with library/ for one component', () => {
    expect(parseOciReference('oci://docker.io/opa:v1')).toMatchObject({
      registry: 'docker.io',
      endpoint: 'registry-1.docker.io',
      repository: 'library/opa',
    });
    expect(parseOciReference('oci://docker.io/acme/opa:v1').repository).toBe('acme/opa');
  });

  it.each([
    ['https://r.io/p:v1', 'not an oci:// reference'],
    ['oci://r.io', 'no registry host and repository'],
    ['oci://r.io/', 'no repository'],
    ['oci://r.io/Team/p:v1', 'repository component "Team"'],
    ['oci://r.io/a//b:v1', 'repository component ""'],
    ['oci://r.io/p:-v1', 'tag "-v1"'],
    [`oci://r.io/p:${'x'.repeat(129)}`, 'tag "'],
    ['oci://r.io/p@sha256:abc', 'digest "sha256:abc"'],
    [`oci://r.io/p@sha512:${'a'.repeat(64)}`, 'is not sha256:'],
    ['oci://bad_host/p:v1', '"bad_host" is not a host[:port]'],
  ])('refuses %s naming the problem', (text, problem) => {
    let thrown: unknown;
    try {
      parseOciReference(text);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(OciError);
    const err = thrown as OciError;
    expect(err).toMatchObject({ code: 'PAL_ERR_OCI', reason: 'reference' });
    expect(err.message).toContain(problem);
    expect(err.message).toContain(text.slice(0, 20));
  });

  it('formats back, and a manifest request names the digest over the tag', () => {
    const ref = parseOciReference(`oci://r.io:443/a/b:v1@${DIGEST}`);
    expect(formatOciReference(ref)).toBe(`oci://r.io:443/a/b:v1@${DIGEST}`);
    expect(manifestReference(ref)).toBe(DIGEST);
    expect(manifestReference(parseOciReference('oci://r.io/a'))).toBe('latest');
  });
});
