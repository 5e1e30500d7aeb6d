// palisade explain <policy-id>: what a policy checks, its parameters, the controls it maps to,
// and its examples, from the bundle's metadata (palisade.json) and the policy folder if present.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { PolicyMeta } from '../../policy/policy-meta';
import { CliError, usageError } from '../cli-error';
import { painter, type Paint } from '../color';
import { colorEnabled, type CliIo } from '../io';
import { defaultBundle, displayPath, packageRoot } from '../paths';
import { policyExamples } from '../../policy/source/examples';

export const EXPLAIN_USAGE = `Usage: palisade explain <policy-id> [--bundle DIR] [--policies DIR]

Shows what a policy checks, its default action and severity, the kinds it applies to, its
parameters with defaults, the controls it maps to (Pod Security Standards, CIS, NSA-CISA), its
documentation link and its examples.
  --bundle DIR    compiled bundle whose palisade.json is read (default dist/bundle)
  --policies DIR  policy folders for the examples (default ./policies, else the built-in ones)`;

export async function explainCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      bundle: { type: 'string' },
      policies: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(`${EXPLAIN_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1)
    throw usageError('explain needs exactly one policy id (palisade explain disallow-privileged)');
  const id = positionals[0]!;
  const bundle = values.bundle ?? defaultBundle(process.cwd());
  const policies = readManifest(bundle);
  const meta = policies.find((p) => p.id === id);
  if (!meta) {
    const near = policies.filter((p) => p.id.includes(id) || id.includes(p.id)).map((p) => p.id);
    throw new CliError(
      'PAL_CLI_USAGE',
      `no policy "${id}" in ${join(bundle, 'palisade.json')}${near.length ? `; did you mean ${near.join(', ')}?` : ''}\n  policies: ${policies.map((p) => p.id).join(', ')}`,
    );
  }
  const dir =
    values.policies ??
    (existsSync(join('policies', id)) ? 'policies' : join(packageRoot(), 'policies'));
  io.stdout.write(explain(meta, dir, painter(colorEnabled(io.stdout, io.env))));
  return 0;
}

function readManifest(bundle: string): PolicyMeta[] {
  const file = join(bundle, 'palisade.json');
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { policies?: PolicyMeta[] };
    if (!Array.isArray(doc.policies)) throw new Error('no policies list');
    return doc.policies;
  } catch (thrown) {
    throw new CliError(
      'PAL_CLI_READ',
      `cannot read ${file}: ${(thrown as Error).message}\n  build it first: npm run build (or palisade build)`,
    );
  }
}

export function explain(meta: PolicyMeta, policiesDir: string, paint: Paint): string {
  const out: string[] = [];
  out.push(`${paint('bold', meta.id)}: ${meta.title}`, '');
  out.push(`  severity        ${meta.severity ?? 'unset'}`);
  out.push(`  default action  ${meta.action}`);
  out.push(`  applies to      ${(meta.match.kinds ?? ['*']).join(', ')}`);
  out.push(`  operations      ${(meta.match.operations ?? ['CREATE', 'UPDATE']).join(', ')}`);
  out.push('', ...wrap(meta.description ?? '', 96).map((l) => `  ${l}`), '');
  out.push(paint('bold', 'Parameters'));
  const props = Object.entries(meta.parameters?.properties ?? {}) as [
    string,
    Record<string, unknown>,
  ][];
  if (props.length === 0) out.push('  none');
  for (const [name, p] of props) {
    const type =
      p.type === 'array' && p.items
        ? `array of ${(p.items as { type?: string }).type ?? 'any'}`
        : String(p.type ?? 'any');
    out.push(`  ${name} (${type}, default ${JSON.stringify(p.default)})`);
    if (typeof p.description === 'string')
      out.push(...wrap(p.description, 92).map((l) => `      ${l}`));
  }
  out.push('', paint('bold', 'Controls'), ...controls(meta.controls));
  if (meta.docs) out.push('', `${paint('bold', 'Docs')}  ${meta.docs}`);
  out.push('', ...examples(meta.id, policiesDir, paint));
  return `${out.join('\n')}\n`;
}

function controls(c: PolicyMeta['controls']): string[] {
  const { pss, cis, nsa } = (c ?? {}) as {
    pss?: { level: string; check: string };
    cis?: string[];
    nsa?: string;
  };
  const out: string[] = [];
  if (pss) out.push(`  Pod Security Standards  ${pss.level} (check ${pss.check})`);
  if (cis?.length) out.push(`  CIS Kubernetes          ${cis.join(', ')}`);
  if (nsa) out.push(`  NSA-CISA hardening      ${nsa}`);
  return out.length ? out : ['  none listed'];
}

function examples(id: string, dir: string, paint: Paint): string[] {
  const list = existsSync(join(dir, id)) ? policyExamples(dir, id) : [];
  if (list.length === 0)
    return [`${paint('bold', 'Examples')}  none found under ${join(dir, id, 'examples')}`];
  const out = [paint('bold', 'Examples')];
  for (const e of list) {
    out.push(
      `  ${e.expect === 'allowed' ? paint('green', 'allowed') : paint('red', 'denied ')}  ${displayPath(e.file)}`,
    );
    if (e.parameters) out.push(`           with parameters ${JSON.stringify(e.parameters)}`);
    for (const v of e.violations) out.push(`           ${v.path}: ${v.msg}`);
  }
  return out;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
