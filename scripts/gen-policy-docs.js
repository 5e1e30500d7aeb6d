#!/usr/bin/env node
// Generates docs/policies.md from the policy folders (policies/<id>/policy.yaml and examples), so
// the reference can never drift from the policies: every policy, what it checks, its default
// action, parameters with defaults, controls, and a denied example with its exact violations
// (from the example's .expected.json, which `opa test` and the jest engine test both verify).
//
//   node scripts/gen-policy-docs.js [--check] [--policies DIR] [--out FILE]
//       defaults: policies, docs/policies.md. --check writes nothing and exits 1 when FILE is not
//       what would be generated (run without --check to update it).
//
// Output is deterministic: policies sorted by group then id, no timestamps, formatted by the
// repository's prettier so that `prettier --check .` accepts it.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');
const prettier = require('prettier');

const GROUPS = [
  {
    title: 'Pod Security Standards: baseline',
    test: (m) => m.controls?.pss?.level === 'baseline',
  },
  {
    title: 'Pod Security Standards: restricted',
    test: (m) => m.controls?.pss?.level === 'restricted',
  },
  { title: 'Best practices', test: () => true },
];

function usage(msg) {
  console.error(`gen-policy-docs: ${msg}`);
  console.error('usage: gen-policy-docs.js [--check] [--policies DIR] [--out FILE]');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { check: false, policies: 'policies', out: 'docs/policies.md' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--check') opts.check = true;
    else if (a === '--policies' || a === '--out') {
      if (!argv[i + 1]) usage(`${a} needs a value`);
      opts[a.slice(2)] = argv[++i];
    } else usage(`unknown argument ${a}`);
  }
  return opts;
}

// Policy folders as scripts/policy-manifest.js finds them (lib, .x and _x are not policies).
function loadPolicies(root) {
  if (!fs.existsSync(root)) usage(`${root}: no such directory`);
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== 'lib' && !/^[._]/.test(e.name))
    .map((e) => e.name)
    .sort()
    .map((id) => {
      const dir = path.join(root, id);
      const file = path.join(dir, 'policy.yaml');
      if (!fs.existsSync(file)) throw new Error(`${file}: missing`);
      return { id, dir, meta: YAML.parse(fs.readFileSync(file, 'utf8')) };
    });
}

// The first denied example (by file name) with its expectation, or null.
function deniedExample(dir) {
  const d = path.join(dir, 'examples', 'denied');
  if (!fs.existsSync(d)) return null;
  const name = fs
    .readdirSync(d)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()[0];
  if (!name) return null;
  const file = path.join(d, name);
  const expected = JSON.parse(fs.readFileSync(file.replace(/\.ya?ml$/, '.expected.json'), 'utf8'));
  return { file, manifest: fs.readFileSync(file, 'utf8').trimEnd(), expected };
}

const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
// A code span; doubled backticks when the text holds one (CommonMark).
const code = (s) => (String(s).includes('`') ? `\`\` ${s} \`\`` : `\`${s}\``);
const json = (v) => JSON.stringify(v);

function typeOf(schema) {
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

function controlsLine(c) {
  if (!c) return [];
  const out = [];
  if (c.pss) out.push(`Pod Security Standards ${c.pss.level}, check ${code(c.pss.check)}`);
  if (c.cis?.length) out.push(`CIS Kubernetes Benchmark ${c.cis.join(', ')}`);
  if (c.nsa) out.push(`NSA-CISA Kubernetes Hardening Guide: ${c.nsa}`);
  return out;
}

function summaryControls(c) {
  if (!c) return '';
  return [
    c.pss ? `PSS ${c.pss.level}` : null,
    c.cis?.length ? `CIS ${c.cis.join(', ')}` : null,
    c.nsa ? 'NSA-CISA' : null,
  ]
    .filter(Boolean)
    .join('; ');
}

function section(p) {
  const m = p.meta;
  const lines = [`### ${p.id}`, '', `**${m.title}**`, '', m.description.trim(), ''];
  lines.push(`- Default action: **${m.action}**; severity: ${m.severity}`);
  lines.push(`- Applies to: ${m.match.kinds.join(', ')} (${m.match.operations.join(', ')})`);
  for (const c of controlsLine(m.controls)) lines.push(`- Control: ${c}`);
  lines.push(`- Reference: <${m.docs}>`, '');

  const props = Object.entries(m.parameters?.properties ?? {}).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  if (props.length === 0) lines.push('Parameters: none.', '');
  else {
    lines.push('| parameter | type | default | description |', '| --- | --- | --- | --- |');
    for (const [name, s] of props) {
      lines.push(
        `| ${code(name)} | ${cell(typeOf(s))} | ${code(cell(json(s.default)))} | ${cell(s.description ?? '')} |`,
      );
    }
    lines.push('');
  }

  const ex = deniedExample(p.dir);
  if (ex) {
    const params = ex.expected.parameters
      ? ` with parameters ${code(json(ex.expected.parameters))}`
      : '';
    const op = ex.expected.operation ? ` on ${ex.expected.operation}` : '';
    lines.push(`Denied example (${code(ex.file.split(path.sep).join('/'))}${params}${op}):`, '');
    lines.push('```yaml', ex.manifest, '```', '', 'Violations:', '');
    // Messages and fixes hold <placeholders> and * wildcards: code spans show them verbatim.
    for (const v of ex.expected.violations) {
      lines.push(`- ${code(v.path || '(object)')}`, `  - ${code(v.msg)}`);
      if (v.fix) lines.push(`  - Fix: ${code(v.fix)}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

async function render(policies) {
  const grouped = GROUPS.map((g) => ({ title: g.title, items: [] }));
  for (const p of policies) grouped[GROUPS.findIndex((g) => g.test(p.meta))].items.push(p);
  const parts = [
    '# Built-in policies',
    '',
    '<!-- Generated by scripts/gen-policy-docs.js from policies/*/policy.yaml and the examples; ' +
      'do not edit. Regenerate with: node scripts/gen-policy-docs.js -->',
    '',
    `Palisade ships ${policies.length} policies. Each runs with its default action unless the ` +
      'configuration sets another (`policies.<id>.action`: deny, warn, audit or off) or other ' +
      'parameters (`policies.<id>.parameters`); see [configuration](configuration.md). Messages ' +
      'and paths below are exactly what the webhook reports; every example is tested through the ' +
      'engine. How a policy is written: [policy contract](policy-contract.md).',
    '',
  ];
  for (const g of grouped.filter((x) => x.items.length)) {
    parts.push(`## ${g.title}`, '', '| policy | checks | default action | severity | controls |');
    parts.push('| --- | --- | --- | --- | --- |');
    for (const p of g.items) {
      const m = p.meta;
      parts.push(
        `| [${p.id}](#${p.id}) | ${cell(m.title)} | ${m.action} | ${m.severity} | ${cell(summaryControls(m.controls))} |`,
      );
    }
    parts.push('');
    for (const p of g.items) parts.push(section(p));
  }
  const text = parts.join('\n');
  const config = (await prettier.resolveConfig(path.resolve('docs/policies.md'))) ?? {};
  return prettier.format(text, { ...config, parser: 'markdown' });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const text = await render(loadPolicies(opts.policies));
  if (opts.check) {
    const current = fs.existsSync(opts.out) ? fs.readFileSync(opts.out, 'utf8') : '';
    if (current !== text) {
      console.error(
        `gen-policy-docs: ${opts.out} is stale; regenerate it: node scripts/gen-policy-docs.js`,
      );
      process.exit(1);
    }
    console.error(`gen-policy-docs: ${opts.out} is current`);
    return;
  }
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  fs.writeFileSync(opts.out, text);
  console.error(`gen-policy-docs: wrote ${opts.out}`);
}

main().catch((e) => {
  console.error(`gen-policy-docs: error: ${e.message}`);
  process.exit(2);
});
