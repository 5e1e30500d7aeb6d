#!/usr/bin/env node
// Generates policies/capabilities.json: the OPA capabilities file that `opa build -t wasm` and
// `opa check` use, so that a policy calling a builtin the webhook cannot evaluate fails at BUILD
// time (naming the builtin and file:line) instead of at evaluation with "not implemented".
//
// Allowed builtins = (builtins the compiled wasm module implements natively)
//                  ∪ (builtins the Palisade host supplies: HOST_BUILTINS below).
//
// "Native" is measured, not assumed: every builtin of `opa capabilities --current` is called from a
// tiny rule, the rules are compiled in batches with `opa build -t wasm`, each module is instantiated
// with stub imports, and its `builtins` export (the builtins the module would ask the host for) is
// dumped through opa_json_dump. A builtin compiled in but absent from that list is native. A batch
// that fails to compile is split in halves until the failing builtin is alone; such a builtin is
// reported and left out.
//
//   node scripts/gen-capabilities.js [--opa PATH] [--out FILE] [--check] [--verbose]
//
// --check compares with the existing file and exits 1 when it is out of date (no write).
'use strict';
/* global WebAssembly */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawnSync } = require('node:child_process');
const { Buffer } = require('node:buffer');

const root = path.resolve(__dirname, '..');

// Builtins the host (src/policy) implements for the wasm module. Keep in sync with the host.
const HOST_BUILTINS = [
  'sprintf',
  'units.parse_bytes',
  'units.parse',
  'strings.any_prefix_match',
  'strings.any_suffix_match',
];

// Language features kept from `opa capabilities --current`. rego_v1 is required to parse Rego v1
// at all; keywords_in_refs only relaxes the parser. template_strings is kept only when the
// builtin it compiles to (internal.template_string) is allowed. rego_v2 / rego_v2_import are
// dropped: policies are Rego v1, and rego_v2 would imply features that are not checked here.
const KEEP_FEATURES = ['rego_v1', 'keywords_in_refs'];
const FEATURE_NEEDS_BUILTIN = { template_strings: 'internal.template_string' };

// Builtins that cannot be called by name; each gets a body that reaches it through syntax.
// `:=` and `=` are calls to assign / eq that the planner compiles away; capabilities must still
// list them or no policy type-checks.
const SPECIAL_CALLS = {
  assign: 'x := input.a0\n\tx == 1',
  eq: 'input.a0 = input.a1',
  'internal.member_2': 'input.a0 in input.a1',
  'internal.member_3': 'input.a0, input.a1 in input.a2',
  'internal.print': 'print(input.a0)',
  'internal.template_string': 'x := $"v={input.a0}"\n\tx != ""',
};

function parseArgs(argv) {
  const args = {
    opa: path.join(root, '.tools/bin/opa'),
    out: path.join(root, 'policies/capabilities.json'),
    check: false,
    verbose: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--opa') args.opa = argv[++i];
    else if (a === '--out') args.out = path.resolve(argv[++i]);
    else if (a === '--check') args.check = true;
    else if (a === '--verbose' || a === '-v') args.verbose = true;
    else {
      console.error(`gen-capabilities: unknown argument ${a}`);
      process.exit(2);
    }
  }
  return args;
}

// Body of a rule that calls builtin `b` with `any`-typed arguments (refs into input), so the
// type checker accepts every signature.
function callBody(b) {
  if (SPECIAL_CALLS[b.name]) return SPECIAL_CALLS[b.name];
  const decl = b.decl || {};
  const n = (decl.args || []).length;
  const args = Array.from({ length: n }, (_, i) => `input.a${i}`).join(', ');
  const call = `${b.name}(${args})`;
  return decl.result ? `x := ${call}\n\tx == x` : call;
}

function policyFor(batch) {
  const rules = batch.map((b, i) => `r${i} if {\n\t${callBody(b)}\n}\n`);
  return `package probe\n\n${rules.join('\n')}`;
}

function readCString(mem, addr) {
  const bytes = new Uint8Array(mem.buffer);
  let end = addr;
  while (bytes[end] !== 0) end++;
  return Buffer.from(bytes.subarray(addr, end)).toString('utf8');
}

// The builtins a compiled module imports from the host: the JSON object {name: id} that its
// `builtins` export returns.
function hostBuiltinsOf(wasmBytes) {
  const memory = new WebAssembly.Memory({ initial: 5 });
  const fail = (name) => () => {
    throw new Error(`probe module called ${name}`);
  };
  const env = { memory, opa_abort: fail('opa_abort'), opa_println: () => {} };
  for (let i = 0; i <= 4; i++) env[`opa_builtin${i}`] = fail(`opa_builtin${i}`);
  const module = new WebAssembly.Module(wasmBytes);
  const imports = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    imports[imp.module] = imports[imp.module] || {};
    if (imp.module === 'env' && imp.name in env) imports.env[imp.name] = env[imp.name];
    else if (imp.kind === 'function') imports[imp.module][imp.name] = fail(imp.name);
    else throw new Error(`probe module imports unexpected ${imp.kind} ${imp.module}.${imp.name}`);
  }
  const { exports } = new WebAssembly.Instance(module, imports);
  const addr = exports.opa_json_dump(exports.builtins());
  return Object.keys(JSON.parse(readCString(memory, addr)));
}

function extractWasm(tarball, dir) {
  execFileSync('tar', ['-xzf', tarball, '-C', dir], { stdio: 'ignore' });
  return fs.readFileSync(path.join(dir, 'policy.wasm'));
}

let compiles = 0;

// Compiles one batch. Returns {ok: true, host: [...]} or {ok: false, error}.
function compile(opa, batch, work) {
  compiles++;
  const dir = fs.mkdtempSync(path.join(work, 'b'));
  const file = path.join(dir, 'probe.rego');
  fs.writeFileSync(file, policyFor(batch));
  const eps = batch.flatMap((_, i) => ['-e', `probe/r${i}`]);
  const tarball = path.join(dir, 'bundle.tar.gz');
  // Same mode as scripts/build-policies.sh: no --wasm-include-print, so print() calls are erased
  // from the module (they still work under `opa test`) and print / internal.print come out native.
  const r = spawnSync(opa, ['build', '-t', 'wasm', ...eps, '-o', tarball, file], {
    encoding: 'utf8',
  });
  if (r.status !== 0) return { ok: false, error: (r.stderr || r.stdout).trim() };
  return { ok: true, host: hostBuiltinsOf(extractWasm(tarball, dir)) };
}

// Classifies every builtin in `batch` as native / host-needed / uncompilable, splitting failing
// batches in halves.
function classify(opa, batch, work, result) {
  const r = compile(opa, batch, work);
  if (r.ok) {
    const host = new Set(r.host);
    for (const b of batch) (host.has(b.name) ? result.host : result.native).push(b.name);
    return;
  }
  if (batch.length === 1) {
    // In Rego v1 these are the deprecated builtins (`all`, `any`, `cast_*`, `re_match`, ...),
    // which the compiler rejects anyway.
    const error = r.error.replace(/^[^]*?rego_/, 'rego_').split('\n')[0];
    result.failed.push({ name: batch[0].name, error });
    return;
  }
  const mid = Math.ceil(batch.length / 2);
  classify(opa, batch.slice(0, mid), work, result);
  classify(opa, batch.slice(mid), work, result);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.opa === path.join(root, '.tools/bin/opa')) {
    // The pinned opa; installs it on a fresh clone, a no-op otherwise.
    execFileSync('bash', [path.join(root, 'scripts/tools.sh'), 'opa'], { stdio: 'inherit' });
  }
  const opaVersion = execFileSync(args.opa, ['version'], { encoding: 'utf8' })
    .split('\n')
    .find((l) => l.startsWith('Version:'))
    .replace('Version:', '')
    .trim();
  const current = JSON.parse(
    execFileSync(args.opa, ['capabilities', '--current'], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    }),
  );
  const byName = new Map(current.builtins.map((b) => [b.name, b]));
  for (const h of HOST_BUILTINS) {
    if (!byName.has(h)) throw new Error(`host builtin ${h} is unknown to opa ${opaVersion}`);
  }

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'palisade-caps-'));
  const result = { native: [], host: [], failed: [] };
  try {
    // Batches of 32: the whole set usually compiles in ~7 runs; a failure costs log2(32) more.
    const all = current.builtins;
    for (let i = 0; i < all.length; i += 32) classify(args.opa, all.slice(i, i + 32), work, result);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }

  const native = new Set(result.native);
  const allowed = new Set([...native, ...HOST_BUILTINS]);
  const features = (current.features || []).filter(
    (f) =>
      KEEP_FEATURES.includes(f) ||
      (FEATURE_NEEDS_BUILTIN[f] !== undefined && allowed.has(FEATURE_NEEDS_BUILTIN[f])),
  );
  if (!features.includes('rego_v1')) throw new Error('opa capabilities lacks the rego_v1 feature');

  const caps = {
    builtins: current.builtins.filter((b) => allowed.has(b.name)),
    future_keywords: current.future_keywords || [],
    features,
  };
  // Formatted as prettier would (npm run lint checks every JSON file).
  const prettier = require('prettier');
  const prettierOptions = (await prettier.resolveConfig(args.out)) || {};
  const text = await prettier.format(JSON.stringify(caps), { ...prettierOptions, parser: 'json' });

  const summary =
    `gen-capabilities: opa ${opaVersion}: ${current.builtins.length} builtins, ` +
    `${result.native.length} native in wasm, ${result.host.length} need the host ` +
    `(${HOST_BUILTINS.length} host-provided kept), ${result.failed.length} not compilable; ` +
    `${caps.builtins.length} allowed; features ${features.join(', ')}; ${compiles} compiles`;
  console.error(summary);
  if (args.verbose) {
    console.error(`native: ${[...result.native].sort().join(' ')}`);
    console.error(`host-needed: ${[...result.host].sort().join(' ')}`);
    for (const f of result.failed) console.error(`not compilable: ${f.name}: ${f.error}`);
  }

  if (args.check) {
    const existing = fs.existsSync(args.out) ? fs.readFileSync(args.out, 'utf8') : '';
    if (existing !== text) {
      console.error(
        `gen-capabilities: ${path.relative(root, args.out)} is out of date; run node scripts/gen-capabilities.js`,
      );
      process.exit(1);
    }
    return;
  }
  fs.writeFileSync(args.out, text);
  console.error(`gen-capabilities: wrote ${path.relative(process.cwd(), args.out)}`);
}

main().catch((e) => {
  console.error(`gen-capabilities: ${e.stack || e}`);
  process.exit(1);
});
