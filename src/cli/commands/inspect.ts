// palisade inspect BUNDLE.tar.gz: reads a bundle archive as the webhook would (src/policy/artifact
// readBundleArchive), verifying its signature when given a key, and says what it holds: revision,
// digest, roots, the policies, who signed it, its provenance. A refused bundle exits 1 with the
// reason (the same words the webhook logs and counts), so CI can check an artifact before it
// ships.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  ArtifactError,
  isSigningAlgorithm,
  readBundleArchive,
  SIGNING_ALGORITHMS,
  type BundleArchive,
  type Provenance,
} from '../../policy/artifact';
import { CliError, usageError } from '../cli-error';
import type { CliIo } from '../io';

export const INSPECT_USAGE = `Usage: palisade inspect BUNDLE.tar.gz [--verification-key FILE [--verification-alg ALG]
                        [--verification-key-id ID] [--scope SCOPE]] [--format text|json]

Reads a bundle archive (palisade build --output, or any OPA bundle) and prints its revision,
digest, roots, policies, signature and provenance. With --verification-key the signature must
verify with that public key (PEM), as the webhook's verification.publicKeys does.
  --verification-alg ALG     ${SIGNING_ALGORITHMS.join(', ')} (default RS256)
  --verification-key-id ID   the key id the signature names (default: default)
  --scope SCOPE              the scope the signature must carry (default: none)
  --format json              the manifest, files and signature as JSON

Exit: 0 read (and verified), 1 refused (the reason is printed), 2 usage error.`;

export async function inspectCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'verification-key': { type: 'string' },
      'verification-alg': { type: 'string' },
      'verification-key-id': { type: 'string' },
      scope: { type: 'string' },
      format: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(`${INSPECT_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw usageError('inspect takes one bundle archive');
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw usageError(`--format ${format}: text or json`);
  const file = positionals[0]!;
  const publicKeys = verificationKeys(values);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (thrown) {
    throw new CliError('PAL_CLI_READ', `${file}: ${(thrown as Error).message}`, { cause: thrown });
  }
  let archive: BundleArchive;
  try {
    archive = await readBundleArchive(bytes, { source: file, publicKeys, scope: values.scope });
  } catch (thrown) {
    if (!(thrown instanceof ArtifactError)) throw thrown;
    io.stderr.write(`palisade inspect: ${thrown.message} (${thrown.reason})\n`);
    return 1;
  }
  io.stdout.write(
    format === 'json' ? `${JSON.stringify(summary(archive), null, 2)}\n` : text(archive),
  );
  return 0;
}

function verificationKeys(values: {
  'verification-key'?: string;
  'verification-alg'?: string;
  'verification-key-id'?: string;
  scope?: string;
}) {
  const file = values['verification-key'];
  if (file === undefined) {
    for (const flag of ['verification-alg', 'verification-key-id', 'scope'] as const) {
      if (values[flag] !== undefined) throw usageError(`--${flag} needs --verification-key FILE`);
    }
    return [];
  }
  const algorithm = values['verification-alg'] ?? 'RS256';
  if (!isSigningAlgorithm(algorithm)) {
    throw usageError(
      `--verification-alg ${algorithm} is not supported; use one of ${SIGNING_ALGORITHMS.join(', ')}`,
    );
  }
  let key: Buffer;
  try {
    key = readFileSync(file);
  } catch (thrown) {
    throw new CliError(
      'PAL_CLI_READ',
      `${file}: cannot read a public key: ${(thrown as Error).message}`,
    );
  }
  return [{ keyId: values['verification-key-id'] ?? 'default', key, algorithm }];
}

function summary(a: BundleArchive) {
  const { metadata, ...manifest } = a.manifest;
  return {
    source: a.source,
    digest: a.digest,
    revision: a.revision,
    manifest: { ...manifest, metadata },
    files: [...a.files].map(([name, content]) => ({ name, bytes: content.length })),
    signature: a.signature ?? (a.files.has('.signatures.json') ? 'present, not verified' : 'none'),
  };
}

function text(a: BundleArchive): string {
  const policies = (a.manifest.metadata?.palisade as { policies?: { id: string }[] } | undefined)
    ?.policies;
  const provenance = a.manifest.metadata?.provenance as Provenance | undefined;
  const signed = a.signature
    ? `verified: ${a.signature.algorithm}, key ${a.signature.keyId}`
    : a.files.has('.signatures.json')
      ? 'signed, not verified (no --verification-key)'
      : 'unsigned';
  const lines = [
    `bundle     ${a.source}`,
    `digest     ${a.digest}`,
    `revision   ${a.revision || '(none)'}`,
    `roots      ${(a.manifest.roots ?? ['']).map((r) => r || '(all)').join(', ')}`,
    `signature  ${signed}`,
    `files      ${[...a.files].map(([n, c]) => `${n} (${c.length} bytes)`).join(', ')}`,
    policies
      ? `policies   ${policies.length}: ${policies.map((p) => p.id).join(' ')}`
      : 'policies   (not a Palisade bundle: no metadata.palisade)',
  ];
  if (provenance) {
    const v = provenance.versions;
    lines.push(
      `built      ${provenance.builtAt} by palisade ${v.palisade}, opa ${v.opa}, node ${v.node}`,
      `inputs     ${provenance.inputs.length} files, ${provenance.inputsDigest}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
