// The built CLI on a multi-document file and on stdin, in every format, and on what
// `helm template` prints.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { palisade, parseText, ROOT } from './cli-run';

jest.setTimeout(120_000);

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'palisade-cli-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const MULTI = `# A release, as helm template prints it
---
# Source: shop/templates/namespace.yaml
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
# Source: shop/templates/web.yaml
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  labels: {app.kubernetes.io/name: web}
spec:
  containers:
    - name: app
      image: registry.example.com/web:1.4.2
      securityContext:
        privileged: true
---
# Source: shop/templates/disabled.yaml
---
# Source: shop/templates/api.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels: {app.kubernetes.io/name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api, app.kubernetes.io/name: api}}
    spec:
      containers:
        - name: api
          image: registry.example.com/api:latest
`;

// Policies pinned by --policy, so that the library growing changes no answer here.
// pss-baseline-privileged is the privileged check that is on by default (disallow-privileged,
// the same check, is off).
const PINNED = ['pss-baseline-privileged', 'disallow-latest-tag', 'require-probes'].flatMap((p) => [
  '--policy',
  p,
]);

describe('palisade eval on a multi-document file and on stdin', () => {
  let file: string;
  beforeAll(() => {
    file = join(work, 'release.yaml');
    writeFileSync(file, MULTI);
  });

  it('prints every object with its decision, its line and what kubectl would show', async () => {
    const run = await palisade(['eval', '-f', file, ...PINNED]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    expect(run.stdout).not.toContain('\u001b['); // not a terminal: no colour
    const blocks = parseText(run.stdout);
    expect(blocks.map((b) => b.head)).toEqual([
      `ALLOWED  Namespace shop  ${file}:4 (shop/templates/namespace.yaml)`,
      `DENIED   Pod shop/web  ${file}:10 (shop/templates/web.yaml)`,
      `WARNED   Deployment default/api  ${file}:26 (shop/templates/api.yaml)`,
    ]);
    expect(blocks[1]!.message).toBe(
      '1 violation of 1 policy:\n- [pss-baseline-privileged] spec.containers[0].securityContext.privileged: privileged (container "app" must not set securityContext.privileged=true). Fix: remove securityContext.privileged or set it to false.',
    );
    expect(blocks[2]!.warnings).toContain(
      '[disallow-latest-tag] image tag "latest" (container "api" must not use image "registry.example.com/api:latest")',
    );
    expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(
      /^3 objects: 2 allowed, 1 denied; \d+ violations .*; 1 failing --fail-on deny$/,
    );
  });

  it('reads the same stream from stdin, as from helm template | palisade eval -f -', async () => {
    const fromFile = JSON.parse((await palisade(['eval', '-f', file, '--format', 'json'])).stdout);
    const run = await palisade(['eval', '-f', '-', '--format', 'json'], { input: MULTI });
    expect(run.code).toBe(1);
    const fromStdin = JSON.parse(run.stdout);
    expect(fromStdin.results.map((r: { source: string }) => r.source)).toEqual([
      '<stdin>',
      '<stdin>',
      '<stdin>',
    ]);
    const strip = (rs: { source: string }[]) => rs.map(({ source: _s, ...r }) => r);
    expect(strip(fromStdin.results)).toEqual(strip(fromFile.results));
  });

  it.each([
    ['deny', ['--policy', 'disallow-latest-tag'], 0],
    ['warn', ['--policy', 'disallow-latest-tag'], 1],
    ['deny', ['--policy', 'disallow-latest-tag', '--action', 'deny'], 1],
    ['warn', ['--policy', 'require-probes'], 0],
    ['audit', ['--policy', 'require-probes'], 1],
  ])('exits by --fail-on %s with %j', async (failOn, extra, code) => {
    const run = await palisade(['eval', '-f', file, '--fail-on', failOn, ...extra]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(code);
  });

  it('writes several formats at once, one to stdout and the others to files', async () => {
    const out = (n: string) => join(work, n);
    const run = await palisade([
      'eval',
      '-f',
      file,
      ...PINNED,
      '--format',
      'text',
      '--format',
      `json=${out('r.json')}`,
      '--format',
      `sarif=${out('r.sarif')}`,
      '--format',
      `junit=${out('r.xml')}`,
    ]);
    expect(run.code).toBe(1);
    expect(parseText(run.stdout)).toHaveLength(3);
    expect(JSON.parse(readFileSync(out('r.json'), 'utf8')).results).toHaveLength(3);
    const sarif = JSON.parse(readFileSync(out('r.sarif'), 'utf8'));
    const priv = sarif.runs[0].results.find(
      (r: { ruleId: string }) => r.ruleId === 'pss-baseline-privileged',
    );
    expect(priv.level).toBe('error');
    expect(priv.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: `file://${file}` },
      region: { startLine: 21 }, // privileged: true
    });
    const xml = readFileSync(out('r.xml'), 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(3);
    expect(xml).toContain('failures="1"');
  });

  it('prints no progress bar when stderr is not a terminal, however many objects', async () => {
    const many = Array.from(
      { length: 60 },
      (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}}\n`,
    ).join('---\n');
    const run = await palisade(['eval', '-f', '-', '--format', 'json'], { input: many });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout).results).toHaveLength(60);
  });
});

describe('helm template | palisade eval -f -', () => {
  // A real chart rendered by the real helm (scripts/tools.sh helm, run by the test command).
  const helm = join(ROOT, '.tools', 'bin', 'helm');
  let chart: string;
  beforeAll(() => {
    chart = join(work, 'chart', 'shop');
    mkdirSync(join(chart, 'templates'), { recursive: true });
    writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: shop\nversion: 0.1.0\n');
    writeFileSync(join(chart, 'values.yaml'), 'privileged: false\n');
    writeFileSync(
      join(chart, 'templates', 'service.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  ports: [{port: 80}]\n',
    );
    writeFileSync(
      join(chart, 'templates', 'deployment.yaml'),
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: {{ .Release.Name }}-web',
        'spec:',
        '  selector: {matchLabels: {app: web}}',
        '  template:',
        '    metadata: {labels: {app: web}}',
        '    spec:',
        '      containers:',
        '        - name: web',
        '          image: registry.example.com/shop:1.2.3',
        '          securityContext:',
        '            privileged: {{ .Values.privileged }}',
        '',
      ].join('\n'),
    );
  });

  const render = (...set: string[]) =>
    execFileSync(
      helm,
      ['template', 'rel', chart, '--namespace', 'shop', ...set.flatMap((s) => ['--set', s])],
      {
        encoding: 'utf8',
      },
    );

  it('evaluates the rendered release and names the template of each object', async () => {
    const run = await palisade(['eval', '-f', '-', '--namespace', 'shop'], {
      input: render('privileged=true'),
    });
    expect(run.code).toBe(1);
    const blocks = parseText(run.stdout);
    expect(blocks.map((b) => b.head)).toEqual([
      expect.stringMatching(
        /^ALLOWED {2}Service shop\/rel {2}<stdin>:\d+ \(shop\/templates\/service\.yaml\)$/,
      ),
      expect.stringMatching(
        /^DENIED {3}Deployment shop\/rel-web {2}<stdin>:\d+ \(shop\/templates\/deployment\.yaml\)$/,
      ),
    ]);
    expect(blocks[1]!.message).toContain(
      '[pss-baseline-privileged] spec.template.spec.containers[0].securityContext.privileged: privileged (container "web" must not set securityContext.privileged=true).',
    );
  });

  it('passes the release once the values are fixed', async () => {
    const run = await palisade(
      ['eval', '-f', '-', '--namespace', 'shop', '--policy', 'pss-baseline-privileged'],
      {
        input: render('privileged=false'),
      },
    );
    expect(run.stdout).toContain('2 objects: 2 allowed, 0 denied');
    expect(run.code).toBe(0);
  });
});
