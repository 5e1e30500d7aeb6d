// docs/policies.md is generated from the policy folders by `palisade generate`: every
// policy is in it with its default action and the exact message of a denied example, the output
// is deterministic, and --check fails on a stale file (scripts/test.sh runs it).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseYaml } from '../../src/policy/source/yaml';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'palisade.js');
const work = mkdtempSync(join(tmpdir(), 'palisade-docs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const gen = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, 'generate', '--only', 'docs', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });

const ids = readdirSync(join(ROOT, 'policies'))
  .filter(
    (d) => d !== 'lib' && !/^[._]/.test(d) && statSync(join(ROOT, 'policies', d)).isDirectory(),
  )
  .sort();

it('documents every policy with its default action and a denied message', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'policies.md'), 'utf8');
  for (const id of ids) {
    const file = join(ROOT, 'policies', id, 'policy.yaml');
    const meta = parseYaml(file, readFileSync(file, 'utf8')).value as {
      action: string;
    };
    const section = doc.split(`\n### ${id}\n`)[1]?.split('\n### ')[0];
    expect(section).toBeDefined();
    expect(section).toContain(`- Default action: **${meta.action}**`);
    const denied = join(ROOT, 'policies', id, 'examples', 'denied');
    const first = readdirSync(denied)
      .filter((f) => f.endsWith('.expected.json'))
      .sort()[0]!;
    const expected = JSON.parse(readFileSync(join(denied, first), 'utf8'));
    expect(section).toContain(`\`${expected.violations[0].msg}\``);
  }
});

it('writes the same bytes as the committed file, and --check refuses a stale one', () => {
  // The committed file was generated earlier, in another process: equal bytes mean no
  // timestamps, no ordering by chance.
  const out = join(work, 'docs', 'policies.md');
  execFileSync(process.execPath, [BIN, 'generate', '--only', 'docs', '--out-dir', work], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(ROOT, 'docs', 'policies.md'), 'utf8'));

  writeFileSync(out, readFileSync(out, 'utf8').replace('**warn**', '**deny**'));
  const stale = gen('--check', '--out-dir', work);
  expect(stale.status).toBe(1);
  expect(stale.stderr).toContain('is stale; regenerate it: npm run generate');
});

it('exits 2 on a bad argument', () => {
  const run = gen('--nope');
  expect(run.status).toBe(2);
  expect(run.stderr).toContain('unknown argument --nope');
});
