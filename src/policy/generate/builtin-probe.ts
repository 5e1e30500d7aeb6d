// Measures which OPA builtins the wasm target implements natively: every builtin is called from
// a tiny rule, the rules are compiled in batches with `opa build -t wasm`, each module is
// instantiated with stub imports, and its `builtins` export (the builtins the module would ask
// the host for) is dumped through opa_json_dump. A builtin compiled in but absent from that list
// is native. A batch that fails to compile is split in halves until the failing builtin is
// alone; such a builtin is reported and left out. (capabilities.ts turns the result into
// policies/capabilities.json.)
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Opa } from '../build/opa';
import { readTarGz } from '../artifact/tar';

/** One entry of `opa capabilities --current`'s builtins (only what the probe reads). */
export interface OpaBuiltin {
  name: string;
  decl?: { args?: unknown[]; result?: unknown };
  /** OPA 1.x refuses these in Rego v1 modules (whatever the capabilities); v0 may call them. */
  deprecated?: boolean;
}

export interface ProbeResult {
  /** Builtins the compiled module evaluates itself. */
  native: string[];
  /** Builtins the module imports from the host. */
  host: string[];
  /** Builtins `opa build` refuses (in Rego v1: the deprecated ones, `all`, `cast_*`, ...). */
  failed: { name: string; error: string }[];
  /** How many `opa build` runs it took. */
  compiles: number;
}

// Builtins that cannot be called by name; each gets a body that reaches it through syntax.
// `:=` and `=` are calls to assign / eq that the planner compiles away; capabilities must still
// list them or no policy type-checks.
const SPECIAL_CALLS: Readonly<Record<string, string>> = {
  assign: 'x := input.a0\n\tx == 1',
  eq: 'input.a0 = input.a1',
  'internal.member_2': 'input.a0 in input.a1',
  'internal.member_3': 'input.a0, input.a1 in input.a2',
  'internal.print': 'print(input.a0)',
  'internal.template_string': 'x := $"v={input.a0}"\n\tx != ""',
};

// Batches of 32: the whole set usually compiles in ~7 runs; a failure costs log2(32) more.
const BATCH = 32;

/**
 * Classifies every builtin, compiling probes in `work` (a scratch directory) with `opa`, whose
 * runner bounds how many compile at once. Only membership is read of the lists, so the order
 * in which batches finish does not matter.
 */
export async function probeBuiltins(
  opa: Opa,
  builtins: readonly OpaBuiltin[],
  work: string,
  regoVersion: 0 | 1 = 1,
): Promise<ProbeResult> {
  const result: ProbeResult = { native: [], host: [], failed: [], compiles: 0 };
  const batches: Promise<void>[] = [];
  for (let i = 0; i < builtins.length; i += BATCH) {
    batches.push(classify(opa, builtins.slice(i, i + BATCH), work, result, regoVersion));
  }
  await Promise.all(batches);
  return result;
}

async function classify(
  opa: Opa,
  batch: readonly OpaBuiltin[],
  work: string,
  result: ProbeResult,
  regoVersion: 0 | 1,
): Promise<void> {
  result.compiles++;
  const r = await compile(opa, batch, work, regoVersion);
  if (r.ok) {
    const host = new Set(r.host);
    for (const b of batch) (host.has(b.name) ? result.host : result.native).push(b.name);
    return;
  }
  if (batch.length === 1) {
    const error = r.error.replace(/^[^]*?rego_/, 'rego_').split('\n')[0] ?? r.error;
    result.failed.push({ name: batch[0]!.name, error });
    return;
  }
  const mid = Math.ceil(batch.length / 2);
  await Promise.all([
    classify(opa, batch.slice(0, mid), work, result, regoVersion),
    classify(opa, batch.slice(mid), work, result, regoVersion),
  ]);
}

type Compiled = { ok: true; host: string[] } | { ok: false; error: string };

async function compile(
  opa: Opa,
  batch: readonly OpaBuiltin[],
  work: string,
  regoVersion: 0 | 1,
): Promise<Compiled> {
  const dir = mkdtempSync(join(work, 'b'));
  const file = join(dir, 'probe.rego');
  writeFileSync(file, probePolicy(batch, regoVersion));
  const entrypoints = batch.flatMap((_, i) => ['-e', `probe/r${i}`]);
  const tarball = join(dir, 'bundle.tar.gz');
  // The same mode as the policy build: no --wasm-include-print, so print() calls are erased
  // from the module (they still work under `opa test`) and print / internal.print come out
  // native.
  const v0 = regoVersion === 0 ? ['--v0-compatible'] : [];
  const r = await opa.run(['build', '-t', 'wasm', ...v0, ...entrypoints, '-o', tarball, file]);
  if (r.code !== 0) return { ok: false, error: (r.stderr || r.stdout).trim() };
  const wasm = readTarGz(readFileSync(tarball), tarball).get('policy.wasm');
  if (!wasm) throw new Error(`${tarball}: opa build wrote no policy.wasm`);
  return { ok: true, host: hostImportsOf(new Uint8Array(wasm)) };
}

// In v0 (the deprecated builtins, which only v0 Rego may call) `if` needs its future import.
function probePolicy(batch: readonly OpaBuiltin[], regoVersion: 0 | 1): string {
  const rules = batch.map((b, i) => `r${i} if {\n\t${callBody(b)}\n}\n`);
  const header = regoVersion === 0 ? 'import future.keywords.if\n\n' : '';
  return `package probe\n\n${header}${rules.join('\n')}`;
}

// Body of a rule that calls builtin `b` with `any`-typed arguments (refs into input), so the
// type checker accepts every signature.
function callBody(b: OpaBuiltin): string {
  const special = SPECIAL_CALLS[b.name];
  if (special !== undefined) return special;
  const n = b.decl?.args?.length ?? 0;
  const args = Array.from({ length: n }, (_, i) => `input.a${i}`).join(', ');
  const call = `${b.name}(${args})`;
  return b.decl?.result ? `x := ${call}\n\tx == x` : call;
}

// The builtins a compiled module imports from the host: the JSON object {name: id} that its
// `builtins` export returns.
function hostImportsOf(wasm: Uint8Array<ArrayBuffer>): string[] {
  const memory = new WebAssembly.Memory({ initial: 5 });
  const fail = (name: string) => () => {
    throw new Error(`probe module called ${name}`);
  };
  const env: Record<string, WebAssembly.ImportValue> = {
    memory,
    opa_abort: fail('opa_abort'),
    opa_println: () => {},
  };
  for (let i = 0; i <= 4; i++) env[`opa_builtin${i}`] = fail(`opa_builtin${i}`);
  const module = new WebAssembly.Module(wasm);
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    const ns = (imports[imp.module] ??= {});
    if (imp.module === 'env' && env[imp.name] !== undefined) ns[imp.name] = env[imp.name]!;
    else if (imp.kind === 'function') ns[imp.name] = fail(imp.name);
    else throw new Error(`probe module imports unexpected ${imp.kind} ${imp.module}.${imp.name}`);
  }
  const exports = new WebAssembly.Instance(module, imports).exports as Record<
    string,
    (...args: number[]) => number
  >;
  const addr = exports.opa_json_dump!(exports.builtins!());
  return Object.keys(JSON.parse(readCString(memory, addr)) as Record<string, number>);
}

function readCString(memory: WebAssembly.Memory, addr: number): string {
  const bytes = new Uint8Array(memory.buffer);
  let end = addr;
  while (bytes[end] !== 0) end++;
  return Buffer.from(bytes.subarray(addr, end)).toString('utf8');
}
