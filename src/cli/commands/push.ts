// palisade push oci://REGISTRY/REPO:TAG BUNDLE.tar.gz: uploads a bundle archive (`palisade
// build --output`, or any OPA bundle) to an OCI registry as the artifact OPA and oras read
// (src/bundles/oci). The archive is read first (src/policy/artifact), so what is not a bundle
// is refused before anything is sent; its revision becomes the manifest's
// org.opencontainers.image.revision. Prints the manifest digest to pin (`...@sha256:...`).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseOciReference, pushBundle } from '../../bundles/oci';
import { readBundleArchive } from '../../policy/artifact';
import { CliError, usageError } from '../cli-error';
import type { CliIo } from '../io';
import { REGISTRY_FLAGS, REGISTRY_USAGE, registryOptions } from '../registry-options';

export const PUSH_USAGE = `Usage: palisade push oci://REGISTRY[:PORT]/REPOSITORY:TAG BUNDLE.tar.gz [options]

Uploads a bundle archive (palisade build --output) to an OCI registry: an image manifest with a
{} config (application/vnd.oci.image.config.v1+json) and the bundle as its one layer
(application/vnd.oci.image.layer.v1.tar+gzip, titled bundle.tar.gz), as OPA's OCI downloader
and oras read it. Prints the manifest digest: oci://REGISTRY/REPOSITORY@DIGEST names this push.
  --annotation KEY=VALUE  a manifest annotation (repeatable)
${REGISTRY_USAGE}

Exit: 0 pushed, 2 usage error, an unreadable bundle or a registry failure.`;

export async function pushCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...REGISTRY_FLAGS,
      annotation: { type: 'string', multiple: true },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(`${PUSH_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 2)
    throw usageError('push takes an oci:// reference and a bundle file');
  const [target, file] = positionals as [string, string];
  const ref = parseOciReference(target);
  if (ref.digest !== undefined) throw usageError(`${target}: push to a tag, not a digest`);
  const annotations: Record<string, string> = {};
  for (const a of values.annotation ?? []) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw usageError(`--annotation ${a}: expected KEY=VALUE`);
    annotations[a.slice(0, eq)] = a.slice(eq + 1);
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (thrown) {
    throw new CliError('PAL_CLI_READ', `${file}: ${(thrown as Error).message}`, { cause: thrown });
  }
  // Refused here, naming the problem, rather than after the upload by every webhook replica.
  const archive = await readBundleArchive(bytes, { source: file });
  if (archive.revision !== '' && annotations['org.opencontainers.image.revision'] === undefined) {
    annotations['org.opencontainers.image.revision'] = archive.revision;
  }
  const options = await registryOptions(values, io);
  const pushed = await pushBundle(ref, bytes, { ...options, annotations });
  io.stderr.write(
    `palisade push: ${file} (${pushed.size} bytes, revision ${archive.revision || 'none'}${
      archive.files.has('.signatures.json') ? ', signed' : ', unsigned'
    }) → ${pushed.reference}\n`,
  );
  io.stdout.write(`${pushed.digest}\n`);
  return 0;
}
