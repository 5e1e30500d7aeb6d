// The built CLI on the policies' own examples: `palisade eval` with the example's parameters
// (through --config) and operation (--operation), its JSON results and exit code. Every example
// runs through the engine in policy-examples.test.ts; here only the groups that use what the CLI
// adds to the engine (a parameters config, another operation).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinExamples, palisade } from './cli-run';

jest.setTimeout(120_000);

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'palisade-cli-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('palisade eval on the policies own examples', () => {
  // One run per (policy, parameters, operation): the example's parameters go in through --config.
  const groups = new Map<string, ReturnType<typeof builtinExamples>>();
  const usesCliFlags = (ex: ReturnType<typeof builtinExamples>[number]) =>
    ex.expected.parameters !== undefined || (ex.expected.operation ?? 'CREATE') !== 'CREATE';
  for (const ex of builtinExamples().filter(usesCliFlags)) {
    const key = JSON.stringify([
      ex.policy,
      ex.expected.parameters ?? null,
      ex.expected.operation ?? 'CREATE',
    ]);
    groups.set(key, [...(groups.get(key) ?? []), ex]);
  }

  it('found the examples', () => {
    expect(groups.size).toBeGreaterThanOrEqual(3);
  });

  it.each([...groups.entries()])('%s', async (key, examples) => {
    const [policy, parameters, operation] = JSON.parse(key) as [string, object | null, string];
    const args = [
      'eval',
      '--policy',
      policy,
      '--action',
      'deny',
      '--operation',
      operation,
      '--format',
      'json',
    ];
    if (parameters) {
      const config = join(work, `${policy}-${groups.size}-${Math.abs(hash(key))}.yaml`);
      writeFileSync(config, JSON.stringify({ policies: { [policy]: { parameters } } }));
      args.push('--config', config);
    }
    for (const ex of examples) args.push('-f', ex.file);
    const run = await palisade(args);
    expect(run.stderr).toBe('');
    const { results } = JSON.parse(run.stdout);
    expect(results.map((r: { source: string }) => r.source)).toEqual(examples.map((e) => e.file));
    examples.forEach((ex, i) => {
      const got = results[i].violations.map((v: { msg: string; path: string }) => ({
        msg: v.msg,
        path: v.path,
      }));
      const want = ex.expected.violations.map((v) => ({ msg: v.msg, path: v.path }));
      expect({ file: ex.file, allowed: results[i].allowed, violations: sortByMsg(got) }).toEqual({
        file: ex.file,
        allowed: ex.expect === 'allowed',
        violations: sortByMsg(want),
      });
    });
    expect(run.code).toBe(examples.some((e) => e.expect === 'denied') ? 1 : 0);
  });
});

function sortByMsg<T extends { msg: string; path: string }>(vs: T[]): T[] {
  return [...vs].sort((a, b) => (a.path + a.msg < b.path + b.msg ? -1 : 1));
}

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}
