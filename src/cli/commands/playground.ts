// palisade playground: a local page where the webhook's own policy.wasm and decision code run in
// the browser (src/playground); edited Rego is compiled here with the pinned opa. --export DIR
// writes a static copy instead. docs/playground.md.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { configSource, loadConfig } from '../../config/load';
import { loadBundle, type Bundle } from '../../policy/bundle';
import { buildBundle, builtinPoliciesDir } from '../../policy/build/build-bundle';
import { PolicyBuildError } from '../../policy/build/build-error';
import { resolvePolicies } from '../../policy/policy-set';
import { pageFiles } from '../playground/assets';
import { PolicyCompiler, type PolicySources } from '../playground/compile-policy';
import { exportStatic } from '../playground/export-static';
import { playgroundData, readPolicySources } from '../playground/playground-data';
import { startPlaygroundServer } from '../playground/server';
import { CliError, usageError } from '../cli-error';
import type { CliIo } from '../io';
import { defaultBundle } from '../paths';
import { pinnedOpa, toolError } from './build';

export const DEFAULT_WEBHOOK = 'validate.palisade.dev';
export const DEFAULT_PLAYGROUND_PORT = 8780;

export const PLAYGROUND_USAGE = `Usage: palisade playground [--port N] [--host ADDR] [--policies DIR | --bundle DIR]
                           [--config FILE] [--webhook-name NAME] [--export DIR]

Serves a page (http://127.0.0.1:${DEFAULT_PLAYGROUND_PORT}/) where manifests are evaluated in the browser by the
webhook's own policy.wasm and decision code, shown as kubectl prints the answer; a policy's
Rego can be edited and is compiled here by the pinned opa.
  --port N             port to listen on (default ${DEFAULT_PLAYGROUND_PORT}; 0 picks a free one)
  --host ADDR          address to listen on (default 127.0.0.1: this machine only)
  --policies DIR       policy folders: built at start, their Rego editable
  --bundle DIR         a built bundle (no Rego editing unless --policies names its sources)
  --config FILE        the webhook's config (actions, parameters, exemptions)
  --webhook-name NAME  the name kubectl prints in denials (default ${DEFAULT_WEBHOOK})
  --export DIR         write a static copy (the bundle, no Rego editing) to DIR and exit

Stop it with Ctrl-C. Exit: 0 stopped or exported, 2 usage or tool error.`;

export async function playgroundCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      policies: { type: 'string' },
      bundle: { type: 'string' },
      config: { type: 'string' },
      'webhook-name': { type: 'string' },
      export: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(`${PLAYGROUND_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 0) throw usageError(`unexpected argument ${positionals[0]}`);
  if (values.policies && values.bundle) throw usageError('--policies and --bundle: give one');
  const port = Number(values.port ?? DEFAULT_PLAYGROUND_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw usageError(`--port ${values.port}: a port number (0-65535)`);
  }
  const config = await loadConfig(configSource({ config: values.config }, io.env));
  const work = mkdtempSync(join(tmpdir(), 'palisade-playground-bundle-'));
  try {
    const sources = policySources(values.policies);
    const bundleDir = values.policies
      ? await buildSources(values.policies, join(work, 'bundle'), io)
      : resolve(values.bundle ?? defaultBundle(process.cwd()));
    const bundle = await openBundle(bundleDir);
    const { problems } = resolvePolicies(bundle.policies, config);
    if (problems.length > 0) throw new CliError('PAL_CLI_INPUT', problems.join('\n'));
    const webhook = values['webhook-name'] ?? DEFAULT_WEBHOOK;
    const exportDir = values.export;
    const data = playgroundData(bundle, config, { webhook, static: !!exportDir, sources });
    const files = pageFiles(bundleDir, data);
    if (exportDir) {
      const written = exportStatic(exportDir, files);
      io.stdout.write(`wrote ${exportDir}: ${written.join(', ')}\n`);
      return 0;
    }
    const compiler = sources ? new PolicyCompiler(sources, await pinnedOpa(io)) : undefined;
    return await serve(values.host ?? '127.0.0.1', port, files, compiler, io);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The Rego the page may edit: --policies, else the built-in policies when they are here. */
function policySources(dir: string | undefined): PolicySources | undefined {
  const root = dir ?? builtinPoliciesDir();
  if (!dir && !existsSync(root)) return undefined;
  try {
    return readPolicySources(resolve(root));
  } catch (thrown) {
    throw new CliError('PAL_CLI_INPUT', (thrown as Error).message, { cause: thrown });
  }
}

async function buildSources(dir: string, outDir: string, io: CliIo): Promise<string> {
  const opa = await pinnedOpa(io);
  try {
    await buildBundle({ policiesDir: resolve(dir), outDir, opa });
  } catch (thrown) {
    if (thrown instanceof PolicyBuildError) {
      throw new CliError('PAL_CLI_INPUT', thrown.message, { cause: thrown });
    }
    throw toolError(thrown);
  }
  return outDir;
}

async function openBundle(dir: string): Promise<Bundle> {
  try {
    return await loadBundle(dir);
  } catch (thrown) {
    throw new CliError(
      'PAL_CLI_READ',
      `${(thrown as Error).message}\n  build it first: npm run build (or palisade build), or name one with --bundle`,
      { cause: thrown },
    );
  }
}

async function serve(
  host: string,
  port: number,
  files: ReadonlyMap<string, Buffer>,
  compiler: PolicyCompiler | undefined,
  io: CliIo,
): Promise<number> {
  let server;
  try {
    server = await startPlaygroundServer({
      host,
      port,
      files,
      compiler,
      log: (l) => io.stderr.write(`${l}\n`),
    });
  } catch (thrown) {
    throw new CliError(
      'PAL_CLI_TOOL',
      `cannot listen on ${host}:${port}: ${(thrown as Error).message}`,
    );
  }
  io.stdout.write(
    `palisade playground: ${server.url}${compiler ? '' : ' (no Rego editing: no policy sources)'}\n`,
  );
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await server.close();
  return 0;
}
