// The bundle build refuses, at BUILD time, a policy that calls a builtin neither the wasm nor the
// host provides, naming the builtin and the file; and a broken policy leaves the last good bundle.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function build(policies: string, out: string): { code: number; output: string } {
  try {
    const output = execFileSync('bash', ['scripts/build-policies.sh', policies, out], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { code: 0, output };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, output: `${e.stdout}${e.stderr}` };
  }
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'palisade-build-'));
  cpSync(join(ROOT, 'policies'), join(work, 'policies'), { recursive: true });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

it.each([
  ['time.now_ns()', 'time.now_ns'],
  ['http.send({"method": "get", "url": "https://example.com"})', 'http.send'],
])('fails the build on %s, naming the builtin and the file', (call, name) => {
  const out = join(work, 'bundle');
  expect(build(join(work, 'policies'), out).code).toBe(0);
  const before = readFileSync(join(out, 'policy.wasm'));
  const file = join(work, 'policies', 'disallow-privileged', 'policy.rego');
  const original = readFileSync(file, 'utf8');
  writeFileSync(file, `${original}\n_now := ${call}\n`);
  try {
    const result = build(join(work, 'policies'), out);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(name);
    expect(result.output).toMatch(/disallow-privileged\/policy\.rego:\d+/);
    // The last good bundle is untouched.
    expect(existsSync(join(out, 'policy.wasm'))).toBe(true);
    expect(readFileSync(join(out, 'policy.wasm')).equals(before)).toBe(true);
  } finally {
    writeFileSync(file, original);
  }
});
