// gator suites read as gator reads them: fields, defaults, paths relative to the suite file,
// discovery at any depth, and the problems that make a suite or a case unusable.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAssertion, parseSuite } from '../../../src/gatekeeper/suite';
import { findSuites } from '../../../src/gatekeeper/suite-discovery';
import { parseYaml } from '../../../src/policy/source/yaml';

const SUITE_HEAD = 'kind: Suite\napiVersion: test.gatekeeper.sh/v1alpha1\n';

describe('parseSuite', () => {
  const doc = (yaml: string) => parseYaml('suite.yaml', SUITE_HEAD + yaml).value;

  it('reads tests and cases, paths joined to the suite directory', () => {
    const suite = parseSuite(
      doc(`metadata: {name: s}
tests:
- name: t
  template: template.yaml
  constraint: samples/c.yaml
  cases:
  - name: c1
    object: samples/o.yaml
    inventory: [samples/inv.yaml, ../shared/ns.yaml]
    assertions:
    - violations: 2
      message: "^must"
`),
      '/repo/lib/x/suite.yaml',
      'lib/x/suite.yaml',
    );
    expect(suite).toEqual({
      path: 'lib/x/suite.yaml',
      file: '/repo/lib/x/suite.yaml',
      name: 's',
      skip: false,
      tests: [
        {
          name: 't',
          template: '/repo/lib/x/template.yaml',
          constraint: '/repo/lib/x/samples/c.yaml',
          invalid: false,
          skip: false,
          cases: [
            {
              name: 'c1',
              object: '/repo/lib/x/samples/o.yaml',
              inventory: ['/repo/lib/x/samples/inv.yaml', '/repo/lib/shared/ns.yaml'],
              assertions: [{ violations: 2, message: '^must' }],
              skip: false,
            },
          ],
        },
      ],
    });
  });

  it.each([
    ['violations: yes', { violations: 'yes' }],
    ['violations: "yes"', { violations: 'yes' }],
    ['violations: no', { violations: 'no' }],
    ['violations: "no"', { violations: 'no' }],
    ['violations: 0', { violations: 0 }],
    ['violations: 3', { violations: 3 }],
    ['message: foo', { violations: 'yes', message: 'foo' }],
  ])(
    'assertion %s is %j (unset violations means "yes", YAML 1.1 yes/no are the words)',
    (yaml, want) => {
      expect(parseAssertion(parseYaml('a', yaml).value, 'a')).toEqual(want);
    },
  );

  it.each([
    ['violations: -1', 'a.violations: must be a nonnegative integer, "yes" or "no" (got -1)'],
    [
      'violations: maybe',
      'a.violations: must be a nonnegative integer, "yes" or "no" (got "maybe")',
    ],
    ['message: "("', 'a.message: invalid regular expression'],
  ])('assertion %s is refused: %s', (yaml, msg) => {
    expect(() => parseAssertion(parseYaml('a', yaml).value, 'a')).toThrow(msg);
  });

  it('marks a case without object or assertions, or with a bad assertion, as a problem of that case only', () => {
    const suite = parseSuite(
      doc(`tests:
- name: t
  template: t.yaml
  constraint: c.yaml
  cases:
  - {name: no-object, assertions: [{violations: no}]}
  - {name: no-assertions, object: o.yaml}
  - {name: bad, object: o.yaml, assertions: [{violations: lots}]}
  - {name: fine, object: o.yaml, assertions: [{violations: no}]}
`),
      '/s/suite.yaml',
      'suite.yaml',
    );
    expect(suite.tests[0]!.cases.map((c) => c.problem)).toEqual([
      'invalid test case: must define object',
      'invalid test case: assertions must be non-empty',
      'tests[0].cases[2].assertions[0].violations: must be a nonnegative integer, "yes" or "no" (got "lots")',
      undefined,
    ]);
  });

  it('reads skip and invalid', () => {
    const suite = parseSuite(
      doc(
        'skip: true\ntests:\n- {name: t, template: t.yaml, constraint: c.yaml, invalid: true, skip: true}\n',
      ),
      '/s/suite.yaml',
      'suite.yaml',
    );
    expect(suite.skip).toBe(true);
    expect(suite.tests[0]).toMatchObject({ invalid: true, skip: true, cases: [] });
  });

  it.each([
    ['tests: {a: 1}', 'tests: must be a list'],
    ['tests: [{name: t, cases: {}}]', 'tests[0].cases: must be a list'],
    ['tests: [{name: 3}]', 'tests[0].name: must be a string'],
    ['tests: [{name: t, skip: "no way"}]', 'tests[0].skip: must be true or false'],
    [
      'tests: [{name: t, cases: [{name: c, inventory: x.yaml}]}]',
      'tests[0].cases[0].inventory: must be a list of files',
    ],
  ])('refuses %s naming the field', (yaml, msg) => {
    expect(() => parseSuite(doc(yaml), '/s/suite.yaml', 'suite.yaml')).toThrow(msg);
  });
});

describe('findSuites', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'palisade-suites-'));
    const write = (p: string, text: string) => {
      mkdirSync(join(root, p, '..'), { recursive: true });
      writeFileSync(join(root, p), text);
    };
    write('b/suite.yaml', `${SUITE_HEAD}tests: []\n`);
    write('a/deep/er/tests.yml', `${SUITE_HEAD}tests: []\n`);
    write('a/template.yaml', 'apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\n');
    write('a/not-yaml.txt', SUITE_HEAD);
    write(
      'c/other-version.yaml',
      'kind: Suite\napiVersion: test.gatekeeper.sh/v1beta9\ntests: []\n',
    );
    write(
      'c/other-group.yaml',
      'kind: Suite\napiVersion: example.com/v1\ntests: []\n# test.gatekeeper.sh\n',
    );
    write('d/broken.yaml', `${SUITE_HEAD}tests: [\n`);
    write('d/bad-field.yaml', `${SUITE_HEAD}tests: 3\n`);
    write('e/helm-template.yaml', '{{ if .Values.x }}\nkind: Deployment\n{{ end }}\n');
  });

  it('finds every Suite at any depth, in path order, ignoring other files', async () => {
    const found = await findSuites(root);
    expect(found.suites.map((s) => s.path)).toEqual([
      join(root, 'a/deep/er/tests.yml'),
      join(root, 'b/suite.yaml'),
      join(root, 'c/other-version.yaml'),
    ]);
  });

  it('reports a file that declares a Suite but cannot be read as one', async () => {
    const found = await findSuites(root);
    expect(found.unreadable.map((u) => [u.path.slice(root.length + 1), u.error])).toEqual([
      ['d/bad-field.yaml', 'tests: must be a list'],
      ['d/broken.yaml', expect.stringMatching(/^invalid YAML \(line \d+\): /)],
    ]);
  });

  it("shows paths below the directory as given, and takes gator's DIR/... form", async () => {
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const plain = await findSuites('b');
      const dots = await findSuites('b/...');
      expect(plain.suites.map((s) => s.path)).toEqual(['b/suite.yaml']);
      expect(dots.suites.map((s) => s.path)).toEqual(['b/suite.yaml']);
    } finally {
      process.chdir(cwd);
    }
  });

  it('takes one suite file, and refuses a file that is not YAML or a path that does not exist', async () => {
    expect((await findSuites(join(root, 'b/suite.yaml'))).suites).toHaveLength(1);
    await expect(findSuites(join(root, 'a/not-yaml.txt'))).rejects.toThrow(
      'a suite file must end in .yaml or .yml (got ".txt")',
    );
    await expect(findSuites(join(root, 'nope'))).rejects.toThrow(/^cannot read .*nope: /);
  });
});
