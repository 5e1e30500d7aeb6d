// palisade build [dir]: compiles policy folders into a bundle in-process (src/policy/build:
// validation, the aggregator, opa build -t wasm with the capabilities check, palisade.json, the
// atomic swap); opa's errors name file and line. With --output FILE it also writes the bundle
// as one standard OPA bundle archive (src/policy/artifact: .manifest with revision, roots,
// metadata.palisade and metadata.provenance), signed in OPA's format with --signing-key.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildProvenance,
  isSigningAlgorithm,
  SIGNING_ALGORITHMS,
  writeBundleArchive,
  type SigningOptions,
} from '../../policy/artifact';
import { PolicyBuildError, ToolError } from '../../policy/build/build-error';
import { buildBundle, type BuildOptions } from '../../policy/build/build-bundle';
import { ensureOpa, type Opa } from '../../policy/build/opa';
import { CliError, usageError } from '../cli-error';
import type { CliIo, OutStream } from '../io';
import {
  keyMismatch as keyMismatchOf,
  privateKey as privateKeyOf,
} from '../../policy/artifact/jws';
import { VERSION } from '../version';

export const BUILD_USAGE = `Usage: palisade build [POLICIES_DIR] [-o OUT_DIR] [--output BUNDLE.tar.gz [signing]]

Validates the policy folders and compiles them with opa build -t wasm into a bundle
(policy.wasm, data.json, palisade.json). A builtin the wasm host cannot run fails here,
with its file and line (POLICIES_DIR/capabilities.json lists what can run).
  POLICIES_DIR            default: policies
  -o, --out DIR           default: dist/bundle (with --output: only when given)
  --output FILE           also write a standard OPA bundle archive (opa inspect reads it):
                          .manifest (revision, roots, metadata.palisade, metadata.provenance),
                          policy.wasm, data.json
  --revision REV          the manifest revision (default: sha256 of the wasm, data, policies)
  --signing-key FILE      sign the archive (.signatures.json, OPA's format) with this PEM
                          private key
  --signing-alg ALG       ${SIGNING_ALGORITHMS.join(', ')} (default RS256)
  --signing-key-id ID     the key id (JWT kid) verifiers look the key up by (default: default)
  --claims-file FILE      extra JWT claims (JSON object: scope, iss, exp, ...), as opa build's
Environment:
  OPA_OPTIMIZE             opa build -O level, 0 (default), 1 or 2
  SOURCE_DATE_EPOCH        seconds since 1970: palisade.json builtAt (reproducible builds)
  PALISADE_AGGREGATOR_OUT  also write the generated palisade/main.rego to this file

Exit: 0 built, 1 the policies do not build, 2 usage or tool error.`;

export async function buildCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      output: { type: 'string' },
      revision: { type: 'string' },
      'signing-key': { type: 'string' },
      'signing-alg': { type: 'string' },
      'signing-key-id': { type: 'string' },
      'claims-file': { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(`${BUILD_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 1) throw usageError('build takes one policies directory');
  const dir = checkPoliciesDir(positionals[0] ?? 'policies');
  const archive = values.output;
  if (archive !== undefined && !/\.tar\.gz$|\.tgz$/.test(archive)) {
    throw usageError(`--output ${archive}: a bundle archive is a .tar.gz file`);
  }
  const signing = signingOptions(values);
  if (archive === undefined) {
    for (const flag of [
      'revision',
      'signing-key',
      'signing-alg',
      'signing-key-id',
      'claims-file',
    ] as const) {
      if (values[flag] !== undefined) throw usageError(`--${flag} needs --output FILE.tar.gz`);
    }
  }
  const env = buildEnv(io.env);
  const builtAt = env.builtAt ?? new Date();
  const opa = await pinnedOpa(io);
  const log = (line: string) => io.stderr.write(`palisade build: ${line}\n`);
  // With --output alone, the bundle directory is a temporary one.
  const temp = archive !== undefined && values.out === undefined;
  const out = temp
    ? join(mkdtempSync(join(tmpdir(), 'palisade-bundle-')), 'bundle')
    : (values.out ?? 'dist/bundle');
  try {
    try {
      await buildBundle({ ...env, builtAt, policiesDir: dir, outDir: out, opa, log });
    } catch (thrown) {
      if (!(thrown instanceof PolicyBuildError)) throw toolError(thrown);
      writeBuildFailure(thrown, io.stderr);
      io.stderr.write(`palisade: build failed: ${dir} does not compile (see above)\n`);
      return 1;
    }
    if (archive === undefined) {
      io.stdout.write(`built ${out} from ${dir}\n`);
      return 0;
    }
    const provenance = buildProvenance({
      policiesDir: dir,
      builtAt,
      palisadeVersion: VERSION,
      opaVersion: await opa.version(),
    });
    let built;
    try {
      built = await writeBundleArchive(out, archive, {
        revision: values.revision,
        provenance,
        signing,
        mtime: env.builtAt,
      });
    } catch (thrown) {
      throw new CliError('PAL_CLI_WRITE', `${archive}: ${(thrown as Error).message}`, {
        cause: thrown,
      });
    }
    const signed = signing ? `, signed ${signing.algorithm} key ${signing.keyId}` : '';
    log(`wrote ${archive}: revision ${built.revision}, ${built.digest}${signed}`);
    io.stdout.write(`built ${archive}${temp ? '' : ` and ${out}`} from ${dir}\n`);
    return 0;
  } finally {
    if (temp) rmSync(join(out, '..'), { recursive: true, force: true });
  }
}

/** The signing flags as SigningOptions (the key read and checked against the algorithm). */
export function signingOptions(values: {
  'signing-key'?: string;
  'signing-alg'?: string;
  'signing-key-id'?: string;
  'claims-file'?: string;
}): (SigningOptions & { algorithm: string; keyId: string }) | undefined {
  const file = values['signing-key'];
  if (file === undefined) {
    for (const flag of ['signing-alg', 'signing-key-id', 'claims-file'] as const) {
      if (values[flag] !== undefined) throw usageError(`--${flag} needs --signing-key FILE`);
    }
    return undefined;
  }
  const algorithm = values['signing-alg'] ?? 'RS256';
  if (!isSigningAlgorithm(algorithm)) {
    throw usageError(
      `--signing-alg ${algorithm} is not supported; use one of ${SIGNING_ALGORITHMS.join(', ')} (HMAC and none are refused)`,
    );
  }
  const key = readKeyFile(file, 'a PEM private key');
  const keyId = values['signing-key-id'] ?? 'default';
  let claims: Record<string, unknown> | undefined;
  if (values['claims-file'] !== undefined) {
    const text = readKeyFile(values['claims-file'], 'a JSON object of claims').toString('utf8');
    try {
      claims = JSON.parse(text) as Record<string, unknown>;
    } catch (thrown) {
      throw usageError(
        `--claims-file ${values['claims-file']}: not JSON (${(thrown as Error).message})`,
      );
    }
    if (!claims || typeof claims !== 'object' || Array.isArray(claims)) {
      throw usageError(`--claims-file ${values['claims-file']}: not a JSON object`);
    }
    if ('files' in claims)
      throw usageError(
        `--claims-file ${values['claims-file']}: "files" is the signature's own claim`,
      );
  }
  let keyObject;
  try {
    keyObject = privateKeyOf(key);
  } catch (thrown) {
    throw usageError(`--signing-key ${file}: not a PEM private key (${(thrown as Error).message})`);
  }
  const problem = keyMismatchOf(algorithm, keyObject);
  if (problem) throw usageError(`--signing-key ${file}: ${problem}`);
  return { key: keyObject, algorithm, keyId, claims };
}

function readKeyFile(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (thrown) {
    throw new CliError(
      'PAL_CLI_READ',
      `${file}: cannot read ${what}: ${(thrown as Error).message}`,
      { cause: thrown },
    );
  }
}

/** The problems, each on its line as it names its file, then what failed. */
export function writeBuildFailure(err: PolicyBuildError, stream: OutStream): void {
  for (const p of err.problems) stream.write(`${p}\n`);
  stream.write(`palisade build: error: ${err.summary}\n`);
}

/** A policies directory the build can use, or a usage error saying what is missing. */
export function checkPoliciesDir(dir: string): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw usageError(`${dir}: no such directory of policy folders`);
  }
  if (!existsSync(join(dir, 'capabilities.json'))) {
    throw usageError(
      `${join(dir, 'capabilities.json')} is missing: it lists the builtins the wasm bundle can run; copy Palisade's policies/capabilities.json`,
    );
  }
  return dir.replace(/\/+$/, '') || '/';
}

/** The build settings the environment gives (OPA_OPTIMIZE, SOURCE_DATE_EPOCH, ...). */
export function buildEnv(
  env: NodeJS.ProcessEnv,
): Pick<BuildOptions, 'optimize' | 'builtAt' | 'aggregatorOut'> {
  const out: Pick<BuildOptions, 'optimize' | 'builtAt' | 'aggregatorOut'> = {};
  if (env.OPA_OPTIMIZE) {
    if (!/^[0-2]$/.test(env.OPA_OPTIMIZE)) {
      throw usageError(`OPA_OPTIMIZE must be 0, 1 or 2, not "${env.OPA_OPTIMIZE}"`);
    }
    out.optimize = Number(env.OPA_OPTIMIZE);
  }
  if (env.SOURCE_DATE_EPOCH) {
    if (!/^\d+$/.test(env.SOURCE_DATE_EPOCH)) {
      throw usageError(
        `SOURCE_DATE_EPOCH must be seconds since 1970, not "${env.SOURCE_DATE_EPOCH}"`,
      );
    }
    out.builtAt = new Date(Number(env.SOURCE_DATE_EPOCH) * 1000);
  }
  if (env.PALISADE_AGGREGATOR_OUT) out.aggregatorOut = env.PALISADE_AGGREGATOR_OUT;
  return out;
}

/** The pinned opa, installed if needed, so a failure here is a tool error, not a policy error. */
export async function pinnedOpa(io: CliIo): Promise<Opa> {
  try {
    return await ensureOpa((text) => io.stderr.write(text));
  } catch (thrown) {
    throw toolError(thrown);
  }
}

/** Anything but a policy problem ends the command with exit 2. */
export function toolError(thrown: unknown): unknown {
  if (thrown instanceof ToolError)
    return new CliError('PAL_CLI_TOOL', thrown.message, { cause: thrown });
  return thrown;
}
