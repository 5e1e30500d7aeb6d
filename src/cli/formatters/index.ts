// Every output format, each a pure function of the report. The Record makes the type checker
// insist that each Format has a formatter.
import { usageError } from '../cli-error';
import type { Report } from '../results';
import { formatJson } from './json';
import { formatJunit } from './junit';
import { formatSarif } from './sarif';
import { formatText } from './text';

export type Format = 'text' | 'json' | 'junit' | 'sarif';
export type Formatter = (report: Report) => string;

export const FORMATTERS: Record<Format, Formatter> = {
  text: formatText,
  json: formatJson,
  junit: formatJunit,
  sarif: formatSarif,
};

export const FORMATS = Object.keys(FORMATTERS) as Format[];

/** One `--format` value: `json` (to stdout) or `json=out.json` (to that file). */
export interface OutputSpec<F extends string = Format> {
  format: F;
  file?: string;
}

/** The `--format` values of a command whose formats are `formats` (eval's by default). */
export function parseFormatSpecs<F extends string = Format>(
  values: readonly string[],
  formats: readonly F[] = FORMATS as readonly string[] as readonly F[],
): OutputSpec<F>[] {
  const specs = (values.length > 0 ? values : ['text']).map((value): OutputSpec<F> => {
    const eq = value.indexOf('=');
    const name = eq < 0 ? value : value.slice(0, eq);
    const file = eq < 0 ? undefined : value.slice(eq + 1);
    if (!(formats as readonly string[]).includes(name)) {
      throw usageError(`unknown format "${name}" (use ${formats.join(', ')})`);
    }
    if (file === '') throw usageError(`--format ${name}= needs a file name after "="`);
    return { format: name as F, ...(file ? { file } : {}) };
  });
  if (specs.filter((s) => !s.file).length > 1) {
    throw usageError(
      'only one --format may go to stdout; give the others a file (--format json=out.json)',
    );
  }
  const files = specs.flatMap((s) => (s.file ? [s.file] : []));
  const dup = files.find((f, i) => files.indexOf(f) !== i);
  if (dup) throw usageError(`two formats write to the same file ${dup}`);
  return specs;
}
