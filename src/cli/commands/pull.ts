// palisade pull oci://REGISTRY/REPO[:TAG|@DIGEST] -o FILE: downloads a bundle from an OCI
// registry (src/bundles/oci), checked against its digests, and writes it atomically (temp file,
// rename). With --last-digest, a manifest with that digest is not downloaded again: the command
// says so and leaves FILE as it is. Prints the manifest digest.
import { renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseOciReference, pullBundle } from '../../bundles/oci';
import { CliError, usageError } from '../cli-error';
import type { CliIo } from '../io';
import { REGISTRY_FLAGS, REGISTRY_USAGE, registryOptions } from '../registry-options';

export const PULL_USAGE = `Usage: palisade pull oci://REGISTRY[:PORT]/REPOSITORY[:TAG|@sha256:DIGEST] -o FILE [options]

Downloads a bundle pushed by palisade push, oras or OPA's tooling: the manifest's first
application/vnd.oci.image.layer.v1.tar+gzip layer, its digest checked. Prints the manifest digest.
  -o, --output FILE       where to write the bundle (.tar.gz)
  --last-digest DIGEST    download nothing if the manifest still has this digest (a HEAD request)
${REGISTRY_USAGE}

Exit: 0 pulled (or unchanged), 2 usage error or a registry failure.`;

export async function pullCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...REGISTRY_FLAGS,
      output: { type: 'string', short: 'o' },
      'last-digest': { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(`${PULL_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw usageError('pull takes one oci:// reference');
  if (values.output === undefined) throw usageError('-o FILE is required');
  const ref = parseOciReference(positionals[0] as string);
  const options = await registryOptions(values, io);
  const result = await pullBundle(ref, {
    ...options,
    ...(values['last-digest'] !== undefined ? { lastDigest: values['last-digest'] } : {}),
  });
  if (result.unchanged) {
    io.stderr.write(
      `palisade pull: ${result.reference} is unchanged (${result.digest}): nothing downloaded\n`,
    );
    io.stdout.write(`${result.digest}\n`);
    return 0;
  }
  const out = values.output;
  try {
    writeFileSync(`${out}.tmp`, result.bytes);
    renameSync(`${out}.tmp`, out);
  } catch (thrown) {
    throw new CliError('PAL_CLI_WRITE', `${out}: ${(thrown as Error).message}`, { cause: thrown });
  }
  io.stderr.write(
    `palisade pull: ${result.reference} → ${out} (${result.bytes.length} bytes, layer ${result.layerDigest})\n`,
  );
  io.stdout.write(`${result.digest}\n`);
  return 0;
}
