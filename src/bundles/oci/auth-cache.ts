// The Authorization a registry accepted, remembered per registry, repository, action and
// credentials until it expires (a bearer token's expires_in, 60 s by the token spec's default),
// so a poll every pollSeconds is one HEAD request, not a 401, a token request and the HEAD
// again. In memory only, bounded; the key holds a hash of the credentials, never them.
import { createHash } from 'node:crypto';

const MAX_ENTRIES = 256;
/** Renew this long before a token expires, so it does not expire on the way. */
const MARGIN_MS = 10_000;

const entries = new Map<string, { authorization: string; expiresAt: number }>();

export function authCacheKey(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

export function cachedAuthorization(key: string, now = Date.now()): string | undefined {
  const entry = entries.get(key);
  if (entry === undefined) return undefined;
  if (entry.expiresAt - MARGIN_MS <= now) {
    entries.delete(key);
    return undefined;
  }
  return entry.authorization;
}

export function rememberAuthorization(
  key: string,
  authorization: string,
  ttlSeconds: number,
  now = Date.now(),
): void {
  if (entries.size >= MAX_ENTRIES && !entries.has(key)) {
    const oldest = entries.keys().next().value;
    if (oldest !== undefined) entries.delete(oldest);
  }
  entries.set(key, { authorization, expiresAt: now + ttlSeconds * 1000 });
}

export function forgetAuthorization(key: string): void {
  entries.delete(key);
}
