// The only reader of process.env and of the config file. Validates once, reports every bad key
// at once, and returns a deep-frozen Config.
import { readFile } from 'node:fs/promises';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { describeThrown, PalisadeError } from '../errors';
import { ConfigSchema, type Config } from './schema';
import { leaseTimingProblem } from './lease-timing';

export interface ConfigSource {
  /** Path of the YAML file; undefined means the embedded default (all keys defaulted). */
  file?: string;
  /** Overrides from the command line, applied after the file. */
  overrides?: { port?: number; host?: string; bundle?: string };
}

/** Where the config comes from, from argv-derived options and the environment. */
export function configSource(
  flags: { config?: string; port?: number; host?: string; bundle?: string },
  env: NodeJS.ProcessEnv = process.env,
): ConfigSource {
  const port = flags.port ?? (env.PALISADE_PORT ? Number(env.PALISADE_PORT) : undefined);
  return {
    file: flags.config ?? env.PALISADE_CONFIG,
    overrides: {
      port,
      host: flags.host ?? env.PALISADE_HOST,
      bundle: flags.bundle ?? env.PALISADE_BUNDLE,
    },
  };
}

export async function loadConfig(source: ConfigSource): Promise<Config> {
  let raw: unknown = {};
  if (source.file) {
    let text: string;
    try {
      text = await readFile(source.file, 'utf8');
    } catch (thrown) {
      throw new PalisadeError('PAL_ERR_CONFIG_READ', [source.file, describeThrown(thrown)]);
    }
    raw = parseConfigText(source.file, text);
  }
  return validateConfig(source.file ?? '<default>', applyOverrides(raw, source.overrides));
}

export function parseConfigText(name: string, text: string): unknown {
  try {
    return parseYaml(text) ?? {};
  } catch (thrown) {
    throw new PalisadeError('PAL_ERR_CONFIG_INVALID', [name, `  ${describeThrown(thrown)}`]);
  }
}

/** Validates and defaults a parsed config; every problem is listed in one error. */
export function validateConfig(name: string, raw: unknown): Config {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new PalisadeError('PAL_ERR_CONFIG_INVALID', [name, '  (root): must be a mapping']);
  }
  const value = Value.Default(ConfigSchema, bundleObject(structuredClone(raw)));
  const problems = [...Value.Errors(ConfigSchema, value)].map(
    (e) => `  ${e.path || '(root)'}: ${e.message}`,
  );
  const tls = (value as { server?: { tls?: Record<string, unknown> } }).server?.tls;
  if (tls?.auto && (tls.certFile || tls.keyFile)) {
    problems.push('  /server/tls: set either auto or certFile/keyFile, not both');
  }
  if (problems.length === 0) problems.push(...bundleProblems((value as Config).bundle));
  const lease =
    problems.length === 0 ? leaseTimingProblem((value as Config).audit.lease) : undefined;
  if (lease) problems.push(`  /audit/lease: ${lease}`);
  if (problems.length > 0) {
    throw new PalisadeError('PAL_ERR_CONFIG_INVALID', [name, [...new Set(problems)].join('\n')]);
  }
  return deepFreeze(value as Config);
}

function applyOverrides(raw: unknown, overrides: ConfigSource['overrides']): unknown {
  if (!overrides || typeof raw !== 'object' || raw === null) return raw;
  const out = { ...(raw as Record<string, unknown>) };
  const server = { ...((out.server as Record<string, unknown>) ?? {}) };
  if (overrides.port !== undefined) server.port = overrides.port;
  if (overrides.host !== undefined) server.host = overrides.host;
  out.server = server;
  if (overrides.bundle !== undefined) {
    // --bundle / PALISADE_BUNDLE names the source; the file's other bundle keys stay.
    const b = out.bundle;
    out.bundle =
      b && typeof b === 'object'
        ? { ...(b as object), source: overrides.bundle }
        : overrides.bundle;
  }
  return out;
}

/** `bundle: DIR` (the string form) is `bundle: { source: DIR }`. */
function bundleObject(raw: unknown): unknown {
  const r = raw as Record<string, unknown>;
  if (typeof r.bundle === 'string') r.bundle = { source: r.bundle };
  return r;
}

/** What the schema cannot say of bundle: the source's form, and keys a remote source needs. */
function bundleProblems(b: Config['bundle']): string[] {
  const remote = /^(oci|https):\/\//.test(b.source);
  const out: string[] = [];
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(b.source) && !remote) {
    out.push(`  /bundle/source: ${b.source}: use a directory, oci://HOST/REPO:TAG or https://URL`);
  }
  const ids = b.verification.publicKeys.map((k) => k.keyId);
  for (const id of new Set(ids.filter((id, i) => ids.indexOf(id) !== i))) {
    out.push(`  /bundle/verification/publicKeys: key id ${JSON.stringify(id)} is listed twice`);
  }
  if (remote && b.verification.required && ids.length === 0) {
    out.push(
      '  /bundle/verification: a remote source needs publicKeys to verify its bundles (or required: false)',
    );
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
