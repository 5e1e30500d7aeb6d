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
export interface OutputSpec {
  format: Format;
  file?: string;
}

export function parseFormatSpecs(values: readonly string[]): OutputSpec[] {
  const specs = (values.length > 0 ? values : ['text']).map((value): OutputSpec => {
    const eq = value.indexOf('=');
    const name = eq < 0 ? value : value.slice(0, eq);
    const file = eq < 0 ? undefined : value.slice(eq + 1);
    if (!(FORMATS as string[]).includes(name)) {
      throw usageError(`unknown format "${name}" (use ${FORMATS.join(', ')})`);
    }
    if (file === '') throw usageError(`--format ${name}= needs a file name after "="`);
    return { format: name as Format, ...(file ? { file } : {}) };
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
