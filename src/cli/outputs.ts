// Writes a command's outputs (`--format F[=FILE]`, parsed by parseFormatSpecs): the one without a
// file to stdout, coloured only when it is text on a terminal (colorEnabled), the others to their
// files, uncoloured. A file that cannot be written is a PAL_CLI_WRITE error naming it.
import { writeFile } from 'node:fs/promises';
import { describeThrown } from '../errors';
import { CliError } from './cli-error';
import type { OutputSpec } from './formatters';
import { colorEnabled, type CliIo } from './io';

/** Renders one format; `color` is true only for text going to a terminal. */
export type Render<F extends string> = (format: F, color: boolean) => string;

export async function writeOutputs<F extends string>(
  outputs: readonly OutputSpec<F>[],
  render: Render<F>,
  io: CliIo,
): Promise<void> {
  for (const out of outputs) {
    if (!out.file) {
      io.stdout.write(render(out.format, out.format === 'text' && colorEnabled(io.stdout, io.env)));
      continue;
    }
    try {
      await writeFile(out.file, render(out.format, false));
    } catch (thrown) {
      throw new CliError('PAL_CLI_WRITE', `cannot write ${out.file}: ${describeThrown(thrown)}`);
    }
  }
}
