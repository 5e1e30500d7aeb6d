// palisade generate, run as built (bin/palisade.js: prettier loads itself with a dynamic
// import, which jest's VM refuses): it writes the generated files (here under --out-dir, the
// docs and the chart summary, which need no opa or helm), --check names each stale or missing
// file with the command that fixes it, and bad arguments are usage errors (exit 2).
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { palisade, ROOT } from './cli-run';

const work = mkdtempSync(join(tmpdir(), 'palisade-generate-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const generate = (...args: string[]) => palisade(['generate', ...args]);

const DOCS = join(work, 'docs', 'policies.md');
const CHART = join(work, 'charts', 'palisade', 'files', 'policies.json');

it('writes the named files, the same bytes as the committed ones', async () => {
  const r = await generate('--only', 'docs,chart', '--out-dir', work);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(`wrote ${DOCS}`);
  expect(readFileSync(DOCS, 'utf8')).toBe(readFileSync(join(ROOT, 'docs/policies.md'), 'utf8'));
  expect(readFileSync(CHART, 'utf8')).toBe(
    readFileSync(join(ROOT, 'charts/palisade/files/policies.json'), 'utf8'),
  );
  expect(await generate('--check', '--only', 'docs,chart', '--out-dir', work)).toEqual({
    code: 0,
    stdout: '2 generated files are current\n',
    stderr: '',
  });
});

it('--check exits 1 naming each stale or missing file, and writes nothing', async () => {
  await generate('--only', 'docs,chart', '--out-dir', work);
  writeFileSync(DOCS, 'edited by hand\n');
  unlinkSync(CHART);
  const r = await generate('--check', '--only', 'docs,chart', '--out-dir', work);
  expect(r.code).toBe(1);
  expect(r.stderr.trim().split('\n')).toEqual([
    `palisade generate: ${DOCS} is stale; regenerate it: npm run generate`,
    `palisade generate: ${CHART} is stale; regenerate it: npm run generate`,
  ]);
  expect(readFileSync(DOCS, 'utf8')).toBe('edited by hand\n');
});

it.each([
  [
    ['--only', 'nope'],
    '--only: unknown file "nope" (known: capabilities, docs, chart, deploy, kinds)',
  ],
  [['--out-dir'], '--out-dir needs a value'],
  [['stray'], 'unknown argument stray'],
])('%j is a usage error', async (args, message) => {
  const r = await generate(...args);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`palisade generate: ${message}\n`);
});
