// The built CLI end to end: the policies' own examples, a multi-document file and stdin, every
// format, exit codes, bad input, explain, build and test.
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinExamples, palisade, parseText, ROOT } from './cli-run';

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

describe('palisade eval on the policies own examples', () => {
  // One run per (policy, parameters, operation): the example's parameters go in through --config.
  const groups = new Map<string, ReturnType<typeof builtinExamples>>();
  for (const ex of builtinExamples()) {
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

describe('palisade eval with a namespaceSelector', () => {
  // disallow-latest-tag denies, but only in namespaces labelled tier=production.
  let config: string;
  const pod = (ns: string) =>
    `apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: ${ns}}\n` +
    'spec: {containers: [{name: app, image: registry.example.com/app:latest}]}\n';
  const namespace = (name: string, tier: string) =>
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${name}, labels: {tier: ${tier}}}\n---\n`;
  const evalStdin = async (input: string, args: string[] = []) => {
    const run = await palisade(
      [
        'eval',
        '-f',
        '-',
        '--config',
        config,
        '--policy',
        'disallow-latest-tag',
        '-o',
        'json',
        ...args,
      ],
      { input },
    );
    const results = JSON.parse(run.stdout).results as Array<{ kind: string; allowed: boolean }>;
    return { ...run, pods: results.filter((r) => r.kind === 'Pod').map((r) => r.allowed) };
  };
  beforeAll(() => {
    config = join(work, 'selector.yaml');
    writeFileSync(
      config,
      'policies:\n  disallow-latest-tag:\n    action: deny\n' +
        '    match: {namespaceSelector: {matchLabels: {tier: production}}}\n',
    );
  });

  it('takes the labels of a Namespace among the inputs', async () => {
    const prod = await evalStdin(namespace('shop', 'production') + pod('shop'));
    expect(prod.pods).toEqual([false]);
    expect(prod.stderr).toBe('');
    const dev = await evalStdin(namespace('shop', 'development') + pod('shop'));
    expect(dev.pods).toEqual([true]);
    expect(dev.code).toBe(0);
  });

  it('takes --namespace-labels for namespaces the inputs do not define', async () => {
    expect((await evalStdin(pod('shop'), ['--namespace-labels', 'tier=production'])).pods).toEqual([
      false,
    ]);
    expect((await evalStdin(pod('shop'), ['--namespace-labels', 'tier=dev,team=a'])).pods).toEqual([
      true,
    ]);
    // Every namespace carries kubernetes.io/metadata.name, as in a cluster.
    const byName = join(work, 'by-name.yaml');
    writeFileSync(
      byName,
      'policies:\n  disallow-latest-tag:\n    action: deny\n' +
        '    match: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}\n',
    );
    const run = await palisade(
      ['eval', '-f', '-', '--config', byName, '--namespace-labels', 'a=b', '-o', 'json'],
      { input: pod('shop') + '---\n' + pod('other') },
    );
    const results = JSON.parse(run.stdout).results as Array<{
      namespace: string;
      allowed: boolean;
    }>;
    expect(results.map((r) => [r.namespace, r.allowed])).toEqual([
      ['shop', false],
      ['other', true],
    ]);
  });

  it('applies the policy where the labels are unknown, and says so', async () => {
    const run = await evalStdin(pod('shop'));
    expect(run.pods).toEqual([false]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'palisade: labels of namespace shop unknown: policies with a namespaceSelector were ' +
        'applied there (give --namespace-labels, or the Namespace manifest)\n',
    );
  });

  it('refuses a malformed --namespace-labels', async () => {
    const run = await palisade(['eval', '-f', '-', '--namespace-labels', 'tier'], {
      input: pod('shop'),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--namespace-labels: "tier" is not KEY=VALUE');
  });
});

describe('palisade eval on bad input', () => {
  it('names every problem with file and line, evaluates nothing and exits 2', async () => {
    const bad = join(work, 'bad.yaml');
    writeFileSync(
      bad,
      'apiVersion: v1\nkind: Pod\nspec: [a,\n---\nfoo: 1\n---\napiVersion: apps/v1\nkind: Deploymnet\n',
    );
    const run = await palisade(['eval', '-f', bad, '-f', join(work, 'missing.yaml')]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('4 input problems, nothing evaluated:');
    expect(run.stderr).toMatch(new RegExp(`${bad}:4:1: invalid YAML: `));
    expect(run.stderr).toContain(`${bad}:5: not a Kubernetes object: apiVersion and kind missing`);
    expect(run.stderr).toContain(
      `${bad}:7: unknown kind Deploymnet in apps/v1; did you mean Deployment?`,
    );
    expect(run.stderr).toContain('missing.yaml: cannot read: ENOENT');
  });

  it('refuses a config naming a policy the bundle lacks', async () => {
    const config = join(work, 'bad-config.yaml');
    writeFileSync(config, 'policies:\n  no-such-policy: {action: deny}\n');
    const run = await palisade([
      'eval',
      '-f',
      'policies/disallow-privileged/examples',
      '--config',
      config,
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('policies.no-such-policy: no such policy in the bundle');
  });
});

describe('palisade explain', () => {
  it('describes a policy from the bundle metadata with its examples', async () => {
    const run = await palisade(['explain', 'disallow-privileged']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('disallow-privileged: Disallow privileged containers');
    expect(run.stdout).toContain('Pod Security Standards  baseline (check privileged)');
    expect(run.stdout).toContain(
      'denied   policies/disallow-privileged/examples/denied/pod-privileged.yaml',
    );
  });

  it('exits 2 on an unknown policy, suggesting the near ones', async () => {
    const run = await palisade(['explain', 'privileged']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/did you mean [a-z-, ]*\bdisallow-privileged\b/);
  });
});

describe('palisade build and test', () => {
  let policies: string;
  beforeAll(() => {
    policies = join(work, 'policies');
    cpSync(join(ROOT, 'policies'), policies, { recursive: true });
  });

  it('builds a bundle from policy folders', async () => {
    const out = join(work, 'bundle');
    const run = await palisade(['build', policies, '-o', out]);
    expect(run.code).toBe(0);
    expect(existsSync(join(out, 'policy.wasm'))).toBe(true);
    expect(
      JSON.parse(readFileSync(join(out, 'palisade.json'), 'utf8')).policies.length,
    ).toBeGreaterThan(2);
  });

  it('fails a build naming the file and line of a builtin the wasm cannot run', async () => {
    const broken = join(work, 'broken');
    cpSync(policies, broken, { recursive: true });
    const rego = join(broken, 'disallow-privileged', 'policy.rego');
    writeFileSync(rego, `${readFileSync(rego, 'utf8')}\nnow_ns := time.now_ns()\n`);
    const run = await palisade(['build', broken, '-o', join(work, 'broken-bundle')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /disallow-privileged\/policy\.rego:\d+: rego_type_error: undefined function time\.now_ns/,
    );
  });

  it('runs opa test and every example through the engine, failing on a wrong expectation', async () => {
    const expected = join(
      policies,
      'disallow-privileged',
      'examples',
      'denied',
      'pod-privileged.expected.json',
    );
    writeFileSync(expected, readFileSync(expected, 'utf8').replace('must not set', 'MUST NOT set'));
    const run = await palisade(['test', policies]);
    expect(run.code).toBe(1);
    // The generated Rego test and the engine check both catch it.
    expect(run.stdout).toContain('FAIL disallow-privileged denied');
    expect(run.stdout).toContain(
      'the webhook would answer: denied the request: 1 violation of 1 policy:',
    );
    expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(/^\d+ passed, 2 failed$/);
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
