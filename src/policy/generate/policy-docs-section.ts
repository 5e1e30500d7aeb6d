// One policy's section of docs/policies.md (policy-docs.ts assembles them): description, action,
// kinds, controls, a parameter table, and the first denied example with its violations.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Controls, GeneratorPolicy, ParameterSchema } from './policy-folders';

interface DeniedExample {
  /** Relative to the repository root, with forward slashes. */
  file: string;
  manifest: string;
  expected: {
    parameters?: unknown;
    operation?: string;
    violations: { msg: string; path?: string; fix?: string }[];
  };
}

/** A table cell: pipes escaped, whitespace collapsed. */
export const cell = (s: unknown): string =>
  String(s).replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
// A code span; doubled backticks when the text holds one (CommonMark).
const code = (s: unknown): string => (String(s).includes('`') ? `\`\` ${s} \`\`` : `\`${s}\``);
const json = (v: unknown): string => String(JSON.stringify(v));

export function summaryControls(c: Controls | undefined): string {
  if (!c) return '';
  return [
    c.pss ? `PSS ${c.pss.level}` : null,
    c.cis?.length ? `CIS ${c.cis.join(', ')}` : null,
    c.nsa ? 'NSA-CISA' : null,
  ]
    .filter(Boolean)
    .join('; ');
}

export function policySection(root: string, p: GeneratorPolicy): string {
  const m = p.meta;
  const lines = [`### ${p.id}`, '', `**${m.title}**`, '', m.description.trim(), ''];
  lines.push(`- Default action: **${m.action}**; severity: ${m.severity}`);
  lines.push(`- Applies to: ${m.match.kinds.join(', ')} (${m.match.operations.join(', ')})`);
  for (const c of controlsLines(m.controls)) lines.push(`- Control: ${c}`);
  lines.push(`- Reference: <${m.docs}>`, '');
  lines.push(...parameterTable(m.parameters?.properties ?? {}));
  const ex = deniedExample(root, p.dir);
  if (ex) lines.push(...exampleLines(ex));
  return lines.join('\n');
}

function parameterTable(properties: Record<string, ParameterSchema>): string[] {
  const props = Object.entries(properties).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (props.length === 0) return ['Parameters: none.', ''];
  const lines = ['| parameter | type | default | description |', '| --- | --- | --- | --- |'];
  for (const [name, s] of props) {
    lines.push(
      `| ${code(name)} | ${cell(typeOf(s))} | ${code(cell(json(s.default)))} | ${cell(s.description ?? '')} |`,
    );
  }
  lines.push('');
  return lines;
}

function exampleLines(ex: DeniedExample): string[] {
  const params = ex.expected.parameters
    ? ` with parameters ${code(json(ex.expected.parameters))}`
    : '';
  const op = ex.expected.operation ? ` on ${ex.expected.operation}` : '';
  const lines = [`Denied example (${code(ex.file)}${params}${op}):`, ''];
  lines.push('```yaml', ex.manifest, '```', '', 'Violations:', '');
  // Messages and fixes hold <placeholders> and * wildcards: code spans show them verbatim.
  for (const v of ex.expected.violations) {
    lines.push(`- ${code(v.path || '(object)')}`, `  - ${code(v.msg)}`);
    if (v.fix) lines.push(`  - Fix: ${code(v.fix)}`);
  }
  lines.push('');
  return lines;
}

function typeOf(schema: ParameterSchema | undefined): string {
  if (!schema || typeof schema !== 'object') return 'any';
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map(code).join(', ')}`;
  if (schema.type === 'array') return `list of ${typeOf(schema.items)}`;
  if (schema.type === 'object' && schema.properties) {
    const req = new Set(schema.required ?? []);
    const keys = Object.keys(schema.properties).map((k) => (req.has(k) ? k : `${k}?`));
    return `object {${keys.join(', ')}}`;
  }
  return schema.type ?? 'any';
}

function controlsLines(c: Controls | undefined): string[] {
  if (!c) return [];
  const out: string[] = [];
  if (c.pss) out.push(`Pod Security Standards ${c.pss.level}, check ${code(c.pss.check)}`);
  if (c.cis?.length) out.push(`CIS Kubernetes Benchmark ${c.cis.join(', ')}`);
  if (c.nsa) out.push(`NSA-CISA Kubernetes Hardening Guide: ${c.nsa}`);
  return out;
}

// The first denied example (by file name) with its expectation, or null.
function deniedExample(root: string, dir: string): DeniedExample | null {
  const d = join(dir, 'examples', 'denied');
  if (!existsSync(d)) return null;
  const name = readdirSync(d)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()[0];
  if (!name) return null;
  const file = join(d, name);
  const expectedFile = file.replace(/\.ya?ml$/, '.expected.json');
  return {
    file: relative(root, file).split(sep).join('/'),
    manifest: readFileSync(file, 'utf8').trimEnd(),
    expected: JSON.parse(readFileSync(expectedFile, 'utf8')) as DeniedExample['expected'],
  };
}
