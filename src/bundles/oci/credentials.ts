// Registry credentials: a user and password, an identity (refresh) token, or the entry for a
// registry in a Docker config.json-style file (`{"auths": {"HOST[:PORT]": {"auth":
// base64("user:password")}}}`, what `docker login`, `oras login` and a Kubernetes
// dockerconfigjson Secret hold). Credential helpers (credsStore, credHelpers) run programs and
// are not supported: a file that names one for the registry, with no auths entry, is refused.
import { readFileSync } from 'node:fs';
import { OciError } from './oci-error';

export type RegistryCredentials =
  | { readonly username: string; readonly password: string }
  /** An OAuth2 refresh token for the token server (`identitytoken` in a Docker config). */
  | { readonly identityToken: string };

interface AuthEntry {
  auth?: unknown;
  username?: unknown;
  password?: unknown;
  identitytoken?: unknown;
}

/**
 * The credentials `file` holds for `registry` (host[:port]), or undefined when it has none (the
 * registry is then asked anonymously). Throws a `credentials` OciError naming the file when it
 * cannot be read or parsed or its entry for the registry is unusable.
 */
export function credentialsFromFile(
  file: string,
  registry: string,
): RegistryCredentials | undefined {
  const bad = (problem: string, cause?: unknown): OciError =>
    new OciError('credentials', `credentials file ${file}`, problem, { cause });
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (thrown) {
    throw bad(
      thrown instanceof SyntaxError
        ? `not JSON: ${thrown.message}`
        : String((thrown as Error).message),
      thrown,
    );
  }
  if (!isObject(parsed)) throw bad('not a JSON object with "auths"');
  const auths = parsed.auths ?? {};
  if (!isObject(auths)) throw bad('"auths" is not an object');
  const key = Object.keys(auths).find((k) => registryKey(k) === registryKey(registry));
  if (key === undefined) {
    const helper =
      (isObject(parsed.credHelpers) && typeof parsed.credHelpers[registry] === 'string') ||
      typeof parsed.credsStore === 'string';
    if (helper) {
      throw bad(
        `no "auths" entry for ${registry}, and credential helpers (credsStore, credHelpers) are not supported`,
      );
    }
    return undefined;
  }
  const entry = auths[key];
  if (!isObject(entry)) throw bad(`auths["${key}"] is not an object`);
  return entryCredentials(entry as AuthEntry, (problem) => bad(`auths["${key}"]: ${problem}`));
}

function entryCredentials(
  entry: AuthEntry,
  bad: (problem: string) => OciError,
): RegistryCredentials {
  if (typeof entry.identitytoken === 'string' && entry.identitytoken !== '') {
    return { identityToken: entry.identitytoken };
  }
  if (typeof entry.username === 'string' && typeof entry.password === 'string') {
    return { username: entry.username, password: entry.password };
  }
  if (typeof entry.auth === 'string') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw bad('"auth" is not base64 of "user:password"');
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  throw bad('no "auth", "username"/"password" or "identitytoken"');
}

/** `https://host:port/v1/` and `host:port` name the same registry in a Docker config. */
function registryKey(key: string): string {
  const bare = key
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  return bare === 'index.docker.io' || bare === 'registry-1.docker.io' ? 'docker.io' : bare;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How the credentials are described in a message: never the secret. */
export function describeCredentials(credentials: RegistryCredentials | undefined): string {
  if (credentials === undefined) return 'anonymously';
  return 'username' in credentials ? `as user "${credentials.username}"` : 'with an identity token';
}
