// The Authorization cache: an entry lives until its time to live less a margin, keys are
// hashes (no credentials in them), and it stays bounded.
import {
  authCacheKey,
  cachedAuthorization,
  forgetAuthorization,
  rememberAuthorization,
} from '../../../../src/bundles/oci/auth-cache';

describe('the authorization cache', () => {
  it('keeps an entry until 10 s before it expires', () => {
    const key = authCacheKey(['https://r.io/v2/a', 'pull', { username: 'u', password: 'p' }]);
    rememberAuthorization(key, 'Bearer t', 60, 1_000_000);
    expect(cachedAuthorization(key, 1_000_000 + 49_000)).toBe('Bearer t');
    expect(cachedAuthorization(key, 1_000_000 + 50_000)).toBeUndefined();
    // Gone once expired.
    expect(cachedAuthorization(key, 1_000_000)).toBeUndefined();
  });

  it('keys by every part and never holds the secret in the key', () => {
    const a = authCacheKey(['https://r.io/v2/a', 'pull', { username: 'u', password: 'secret' }]);
    const b = authCacheKey([
      'https://r.io/v2/a',
      'pull,push',
      { username: 'u', password: 'secret' },
    ]);
    expect(a).not.toBe(b);
    expect(a).not.toContain('secret');
    rememberAuthorization(a, 'Basic x', 3600);
    forgetAuthorization(a);
    expect(cachedAuthorization(a)).toBeUndefined();
  });

  it('stays bounded, dropping the oldest', () => {
    const first = authCacheKey(['first']);
    rememberAuthorization(first, 'Bearer 0', 3600);
    for (let i = 0; i < 300; i++) rememberAuthorization(authCacheKey([i]), `Bearer ${i}`, 3600);
    expect(cachedAuthorization(first)).toBeUndefined();
    expect(cachedAuthorization(authCacheKey([299]))).toBe('Bearer 299');
  });
});
