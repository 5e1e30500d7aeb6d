// parseChallenges: the WWW-Authenticate headers registries send (Distribution, Docker Hub,
// GHCR, Harbor), quoted values with commas and escapes, several challenges in one header.
import { parseChallenges } from '../../../../src/bundles/oci/challenge';

describe('parseChallenges', () => {
  it('reads a Bearer challenge with realm, service and scope', () => {
    expect(
      parseChallenges(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/opa:pull,push"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/opa:pull,push',
        },
      },
    ]);
  });

  it('reads Basic, lowercases names, keeps the error parameter', () => {
    expect(parseChallenges('Basic realm="Registry Realm"')).toEqual([
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
    ]);
    expect(
      parseChallenges('Bearer Realm="https://t/token", Service=reg, error="insufficient_scope"')[0],
    ).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://t/token', service: 'reg', error: 'insufficient_scope' },
    });
  });

  it('reads several challenges, in one header or several', () => {
    const two = parseChallenges('Basic realm="a", Bearer realm="https://t",service="s"');
    expect(two.map((c) => c.scheme)).toEqual(['basic', 'bearer']);
    expect(two[1]!.params).toEqual({ realm: 'https://t', service: 's' });
    expect(
      parseChallenges(['Basic realm="a"', 'Bearer realm="b"']).map((c) => c.params.realm),
    ).toEqual(['a', 'b']);
  });

  it('unescapes quoted values', () => {
    expect(parseChallenges('Basic realm="say \\"hi\\""')[0]!.params.realm).toBe('say "hi"');
  });

  it('gives nothing for no header', () => {
    expect(parseChallenges(undefined)).toEqual([]);
    expect(parseChallenges('')).toEqual([]);
  });
});
