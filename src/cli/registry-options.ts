// The registry flags `palisade push` and `palisade pull` share, as oras and docker spell them:
// --credentials-file (a Docker config.json; by default $DOCKER_CONFIG/config.json or
// ~/.docker/config.json when one exists, as docker and oras read), -u/--username with
// --password-stdin (the password never on the command line), --ca-file, --plain-http.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RegistryOptions } from '../bundles/oci';
import { usageError } from './cli-error';
import { type CliIo, readAll } from './io';

export const REGISTRY_FLAGS = {
  'credentials-file': { type: 'string' },
  username: { type: 'string', short: 'u' },
  'password-stdin': { type: 'boolean' },
  'ca-file': { type: 'string' },
  'plain-http': { type: 'boolean' },
} as const;

export const REGISTRY_USAGE = `Registry:
  --credentials-file FILE a Docker config.json ("auths" by registry host); default
                          $DOCKER_CONFIG/config.json or ~/.docker/config.json if present
  -u, --username USER     with --password-stdin: the password is read from stdin
  --password-stdin
  --ca-file FILE          PEM CA certificate(s) to trust for the registry (and its token server)
  --plain-http            HTTP instead of HTTPS (a local development registry)`;

export interface RegistryFlagValues {
  'credentials-file'?: string;
  username?: string;
  'password-stdin'?: boolean;
  'ca-file'?: string;
  'plain-http'?: boolean;
}

export async function registryOptions(
  values: RegistryFlagValues,
  io: CliIo,
): Promise<RegistryOptions> {
  const options: { -readonly [K in keyof RegistryOptions]: RegistryOptions[K] } = {};
  if (values.username !== undefined || values['password-stdin']) {
    if (values.username === undefined || !values['password-stdin']) {
      throw usageError('--username and --password-stdin go together');
    }
    if (values['credentials-file'] !== undefined) {
      throw usageError('--credentials-file or --username/--password-stdin, not both');
    }
    const password = (await readAll(io.stdin)).replace(/\r?\n$/, '');
    if (password === '') throw usageError('--password-stdin: stdin is empty');
    options.credentials = { username: values.username, password };
  } else {
    const file = values['credentials-file'] ?? defaultDockerConfig(io.env);
    if (file !== undefined) options.credentialsFile = file;
  }
  if (values['ca-file'] !== undefined) options.caFile = values['ca-file'];
  if (values['plain-http']) options.plainHttp = true;
  return options;
}

function defaultDockerConfig(env: NodeJS.ProcessEnv): string | undefined {
  const dir =
    env.DOCKER_CONFIG ?? (env.HOME ? join(env.HOME, '.docker') : join(homedir(), '.docker'));
  const file = join(dir, 'config.json');
  return existsSync(file) ? file : undefined;
}
