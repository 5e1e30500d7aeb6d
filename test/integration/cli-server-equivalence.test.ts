// One engine: the CLI and the HTTPS webhook give identical decisions and identical messages
// (the denial kubectl prints after "denied the request: " and every warning) on the same
// fixtures and the same config. The CLI runs as built (bin/palisade.js); the server is the real
// one over TLS (harness.ts); the reviews posted are the ones the CLI builds from the manifests.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_USER } from '../../src/policy/source/manifest-request';
import { parseDocuments } from '../../src/policy/source/yaml';
import { prepareReviews } from '../../src/cli/prepare-reviews';
import { builtinExamples, palisade, parseText, ROOT } from './cli-run';
import { BUNDLE, startHarness, type Harness } from './harness';

jest.setTimeout(120_000);

const MULTI = `apiVersion: v1
kind: Pod
metadata: {name: many, namespace: shop}
spec:
  containers:
${Array.from({ length: 14 }, (_, i) => `    - {name: c${i}, image: "nginx", securityContext: {privileged: true}}`).join('\n')}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: report}
spec:
  schedule: '* * * * *'
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: r, image: "example.com/report:latest"}]
---
apiVersion: v1
kind: Pod
metadata: {name: system, namespace: kube-system}
spec:
  containers: [{name: s, image: busybox, securityContext: {privileged: true}}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: b}
`;

// Two configs: the defaults, and one that moves actions around and exempts a namespace.
const CONFIGS: [string, Record<string, unknown>][] = [
  ['the default config', {}],
  [
    'a config with other actions, parameters and an exemption',
    {
      exemptions: { namespaces: ['kube-system'] },
      policies: {
        'disallow-latest-tag': { action: 'deny' },
        'require-resource-limits': { action: 'audit', parameters: { resources: ['memory'] } },
        'disallow-privileged': { action: 'warn' },
      },
    },
  ],
];

let work: string;
let files: string[];
let bundle: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'palisade-equiv-'));
  // Both load this one copy, whatever rebuilds dist/bundle meanwhile.
  bundle = join(work, 'bundle');
  cpSync(BUNDLE, bundle, { recursive: true });
  const multi = join(work, 'multi.yaml');
  writeFileSync(multi, MULTI);
  files = [
    ...builtinExamples().map((e) => join(ROOT, e.file)),
    multi,
    join(ROOT, 'examples', 'reviews', 'privileged-pod.json'),
  ];
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.each(CONFIGS)('CLI and server on %s', (_name, config) => {
  let server: Harness;
  let configFile: string;
  beforeAll(async () => {
    // Every policy of the bundle at its own action (the harness would switch most of them off),
    // then the config's own entries; the server and the CLI get exactly this config.
    const manifest = JSON.parse(readFileSync(join(bundle, 'palisade.json'), 'utf8'));
    const all = Object.fromEntries(
      (manifest.policies as { id: string; action: string }[]).map((p) => [
        p.id,
        { action: p.action },
      ]),
    );
    const policies = config.policies as Record<string, object> | undefined;
    const full = { ...config, bundle, policies: { ...all, ...policies } };
    server = await startHarness(full);
    configFile = join(work, `config-${Object.keys(config).length}.yaml`);
    writeFileSync(configFile, JSON.stringify(full));
  });
  afterAll(() => server.close());

  it('gives the same decision, denial message and warnings for every object', async () => {
    const cli = await palisade([
      'eval',
      '--config',
      configFile,
      '--format',
      'text',
      '--format',
      `json=${join(work, 'out.json')}`,
      ...files.flatMap((f) => ['-f', f]),
    ]);
    expect(cli.stderr).toBe('');
    const blocks = parseText(cli.stdout);
    const json = JSON.parse(readFileSync(join(work, 'out.json'), 'utf8')).results;

    // The same reviews the CLI evaluated, built by the CLI's own code, posted to the webhook.
    const docs = files.flatMap((f) => parseDocuments(f, readFileSync(f, 'utf8')).documents);
    const { targets, problems } = prepareReviews(docs, {
      operation: 'CREATE',
      username: DEFAULT_USER,
      groups: [],
    });
    expect(problems).toEqual([]);
    expect(blocks).toHaveLength(targets.length);
    expect(json).toHaveLength(targets.length);

    let denied = 0;
    let warned = 0;
    for (const [i, t] of targets.entries()) {
      const reply = await server.post(t.review);
      expect(reply.status).toBe(200);
      const response = reply.json().response;
      const where = `${t.doc.source}:${t.doc.line}`;
      expect({ where, allowed: json[i].allowed }).toEqual({ where, allowed: response.allowed });
      expect({ where, message: blocks[i]!.message }).toEqual({
        where,
        message: response.allowed ? undefined : response.status.message,
      });
      expect({ where, warnings: blocks[i]!.warnings }).toEqual({
        where,
        warnings: response.warnings ?? [],
      });
      if (!response.allowed) denied++;
      if (response.warnings?.length) warned++;
    }
    // The fixtures exercise both paths, whatever the config.
    expect(denied).toBeGreaterThan(0);
    expect(warned).toBeGreaterThan(0);
    expect(cli.code).toBe(1);
  });
});
