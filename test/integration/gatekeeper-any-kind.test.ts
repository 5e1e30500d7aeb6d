// Gatekeeper's paths review objects of any kind, as gator does (its own verify suite uses
// `kind: Foo, apiVersion: v1`): palisade verify (the suite
// test/fixtures/gatekeeper/compat/any-kind, also run by gator in
// gatekeeper-gator-differential.test.ts) and palisade eval with templates among the inputs.
// Without templates eval keeps the kinds table's refusal (Palisade's own policies need it). A
// test with gator's `expansion` is skipped and says it is unsupported.
import { mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { palisade, ROOT } from './cli-run';

const SUITE = 'test/fixtures/gatekeeper/compat/any-kind';
let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'palisade-any-kind-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('palisade verify reviews unknown kinds as given and honours gator-scoped constraints', async () => {
  const run = await palisade(['verify', SUITE, '--format', 'json']);
  expect(run.stderr).toBe('');
  const out = JSON.parse(run.stdout) as {
    suites: { tests: { name: string; cases: { name: string; passed: boolean }[] }[] }[];
    passed: number;
    failed: number;
  };
  expect(out.suites[0]!.tests.map((t) => [t.name, t.cases.every((c) => c.passed)])).toEqual([
    ['unknown-kinds-reviewed-as-given', true],
    ['scoped-to-the-webhook-only', true],
    ['scoped-to-every-point', true],
  ]);
  expect([out.passed, out.failed]).toEqual([7, 0]);
  expect(run.code).toBe(0);
});

it('palisade eval of templates takes an unknown kind as given, with the object as gator sees it', async () => {
  const run = await palisade([
    'eval',
    '-f',
    join(SUITE, 'template.yaml'),
    '-f',
    join(SUITE, 'constraint.yaml'),
    '-f',
    join(SUITE, 'samples/widget-foreign.yaml'),
    '-f',
    join(SUITE, 'samples/widgetset-foreign.yaml'),
  ]);
  expect(run.stdout).toContain(
    '[widgets-owned-by-platform] Widget sprocket (group "", version v1, namespace "factory") is owned by "marketing", not "platform"',
  );
  expect(run.stdout).toContain(
    '[widgets-owned-by-platform] WidgetSet assembly (group "apps", version v1, namespace "factory") is owned by "finance", not "platform"',
  );
  expect(run.code).toBe(1);
});

it('palisade eval without templates still refuses a kind Kubernetes does not serve', async () => {
  const run = await palisade(['eval', '-f', join(SUITE, 'samples/widget-foreign.yaml')]);
  expect(run.stderr).toContain('unknown kind Widget in v1');
  expect(run.code).toBe(2);
});

it('palisade verify skips a test with expansion, saying it is unsupported', async () => {
  const dir = join(work, 'expansion');
  cpSync(join(ROOT, SUITE), dir, { recursive: true });
  writeFileSync(
    join(dir, 'suite.yaml'),
    [
      'kind: Suite',
      'apiVersion: test.gatekeeper.sh/v1alpha1',
      'tests:',
      '  - name: expanded',
      '    template: template.yaml',
      '    constraint: constraint.yaml',
      '    expansion: expansion.yaml',
      '    cases:',
      '      - name: expanded-case',
      '        object: samples/widget-foreign.yaml',
      '        assertions:',
      '          - violations: yes',
      '',
    ].join('\n'),
  );
  const run = await palisade(['verify', dir, '--format', 'json']);
  const out = JSON.parse(run.stdout) as {
    suites: { tests: object[] }[];
    passed: number;
    skipped: number;
  };
  expect(out.suites[0]!.tests).toEqual([
    {
      name: 'expanded',
      skipped: true,
      unsupported: 'expansion (expansion.yaml): ExpansionTemplates are not supported',
      cases: [{ name: 'expanded-case', passed: true, reason: null, skipped: true }],
    },
  ]);
  expect([out.passed, out.skipped]).toEqual([0, 1]);
  expect(run.code).toBe(0);
  const text = await palisade(['verify', dir]);
  expect(text.stdout).toContain(
    '=== SKIP  expanded: unsupported: expansion (expansion.yaml): ExpansionTemplates are not supported',
  );
});
