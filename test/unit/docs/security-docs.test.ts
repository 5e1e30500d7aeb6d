// The security documents stay true to the tree: every file they name exists, every test they
// cite (`test/file.test.ts` › "title") is in that file, and every threat of docs/threat-model.md
// that is mitigated, even partly, names at least one test that would fail if the mitigation broke.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const DOCS = ['docs/threat-model.md', 'docs/security-self-assessment.md', 'SECURITY.md'];
const read = (f: string) => readFileSync(join(ROOT, f), 'utf8');

describe.each(DOCS)('%s', (doc) => {
  const text = read(doc);

  it('names only files that exist', () => {
    const paths = [
      ...text.matchAll(/`((?:src|test|charts|docs|policies|bench|scripts)\/[^`\s]+)`/g),
    ]
      .map((m) => m[1]!.replace(/[.,;:]$/, ''))
      .filter((p) => !p.includes('*'));
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
  });

  it('cites only tests that exist, by their title', () => {
    const cited = [...text.matchAll(/`(test\/[^`]+\.test\.ts)` › "([^"]+)"/g)];
    const missing = cited
      .filter(([, file, title]) => !read(file!).includes(title!))
      .map(([, file, title]) => `${file} › ${title}`);
    expect(missing).toEqual([]);
  });
});

it('every mitigated threat of the threat model names a test', () => {
  const rows = read('docs/threat-model.md')
    .split('\n')
    .filter((l) => /^\| \*\*[STRIDE]\*\*/.test(l));
  expect(rows.length).toBeGreaterThan(15);
  const untested = rows.filter((row) => {
    const cells = row.split(' | ');
    const mitigation = cells[1] ?? '';
    const heldBy = cells[2] ?? '';
    const notMitigated = /^\*\*Not mitigated/.test(mitigation);
    return !notMitigated && !/`test\/[^`]+\.test\.ts`/.test(heldBy);
  });
  expect(untested).toEqual([]);
});
