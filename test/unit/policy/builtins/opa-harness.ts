// Test helpers that ask the pinned OPA binary for the expected answers: `opa eval` for what Go's
// OPA computes, and `opa build -t wasm` for a module whose builtin calls reach our host code the
// way they do in production (arguments dumped by the module itself).

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

export const OPA = path.resolve(__dirname, '../../../../.tools/bin/opa');

/** Fails loudly (never skips) when the pinned opa binary has not been built. */
export function requireOpa(): string {
  if (!fs.existsSync(OPA)) {
    throw new Error(`${OPA} is missing; build it with \`bash scripts/tools.sh opa\``);
  }
  return OPA;
}

const tempDirs: string[] = [];

/** Writes `package <pkg>` with the given rules to a fresh temporary directory. */
export function writePolicy(pkg: string, rules: readonly string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `palisade-${pkg}-`));
  tempDirs.push(dir);
  const file = path.join(dir, `${pkg}.rego`);
  fs.writeFileSync(file, `package ${pkg}\n\n${rules.join('\n')}\n`);
  return file;
}

/** Removes the directories writePolicy made; call it from afterAll. */
export function removePolicies(): void {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Evaluates `data.<pkg>` once; rules that are undefined (or hit a builtin error) are absent. */
export function opaEvalPackage(file: string, pkg: string): Record<string, unknown> {
  const out = execFileSync(requireOpa(), ['eval', '-f', 'json', '-d', file, `data.${pkg}`], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const parsed = JSON.parse(out) as { result?: { expressions: { value: unknown }[] }[] };
  const value = parsed.result?.[0]?.expressions[0]?.value;
  if (typeof value !== 'object' || value === null) throw new Error(`opa eval gave ${out}`);
  return value as Record<string, unknown>;
}

/** Compiles the file to wasm with the given entrypoints (`pkg/rule`) and returns policy.wasm. */
export function buildWasm(file: string, entrypoints: readonly string[]): Buffer {
  const bundle = path.join(path.dirname(file), 'bundle.tar.gz');
  const args = [
    'build',
    '-t',
    'wasm',
    '-o',
    bundle,
    ...entrypoints.flatMap((e) => ['-e', e]),
    file,
  ];
  execFileSync(requireOpa(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  return tarEntry(zlib.gunzipSync(fs.readFileSync(bundle)), 'policy.wasm');
}

/** One file out of an uncompressed tar: 512-byte headers, name at 0, octal size at 124. */
function tarEntry(tar: Buffer, name: string): Buffer {
  for (let off = 0; off + 512 <= tar.length;) {
    const entry = tar.toString('utf8', off, off + 100).replace(/\0.*$/s, '');
    if (entry === '') break;
    const size = parseInt(tar.toString('utf8', off + 124, off + 136).trim(), 8);
    if (entry.replace(/^\/+/, '') === name) return tar.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${name} not found in the bundle`);
}
