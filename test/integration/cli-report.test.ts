// The built CLI's `palisade report` on manifests: outputs, exit codes, exemptions and every way
// its input or options can be wrong (a clear message naming the file or flag, exit 2).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { ComplianceReport } from '../../src/audit/compliance/report-model';
import { palisade } from './cli-run';

jest.setTimeout(120_000);

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'palisade-cli-report-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const pod = (name: string, namespace: string, securityContext: Record<string, unknown>) =>
  stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: {
      containers: [{ name: 'app', image: 'registry.example.com/app:1.0.0', securityContext }],
    },
  });

const PRIVILEGED = pod('web', 'shop', { privileged: true });
const CLEAN = pod('api', 'shop', {});
const BASELINE = ['--policy', 'pss-baseline-*'];

function file(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

const control = (r: ComplianceReport, framework: string, id: string) =>
  r.frameworks.find((f) => f.id === framework)!.controls.find((c) => c.id === id)!;

describe('palisade report', () => {
  it('exits 0 when every covered control holds, and lists the rest as not covered', async () => {
    const r = await palisade(['report', '-f', '-', ...BASELINE, '--format', 'json'], {
      input: CLEAN,
    });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const report = JSON.parse(r.stdout) as ComplianceReport;
    expect(report.source).toEqual({ type: 'manifests', inputs: ['-'] });
    expect(report.policies.every((p) => p.id.startsWith('pss-baseline-'))).toBe(true);
    expect(control(report, 'pss', 'privileged')).toMatchObject({
      status: 'pass',
      objects: { pass: 1, fail: 0 },
    });
    // Only baseline policies are selected: restricted checks and CIS RBAC are not covered.
    expect(control(report, 'pss', 'runAsNonRoot').status).toBe('not-covered');
    expect(control(report, 'cis', '5.1.1').status).toBe('not-covered');
  });

  it('exits 1 on a failing control and prints it for a terminal by default', async () => {
    const r = await palisade([
      'report',
      '-f',
      file('pods.yaml', `${PRIVILEGED}---\n${CLEAN}`),
      ...BASELINE,
    ]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 1, stderr: '' });
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^Compliance report: 2 objects, 2 checked by \d+ enabled policies/);
    expect(lines).toContain(
      '  FAIL  privileged Privileged Containers  1 pass, 1 fail; pss-baseline-privileged (deny)',
    );
    expect(lines).toContain(`      Pod shop/web  ${join(work, 'pods.yaml')}:1`);
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('writes several formats at once, the HTML page among them', async () => {
    const html = join(work, 'report.html');
    const json = join(work, 'report.json');
    const r = await palisade([
      'report',
      '-f',
      file('one.yaml', PRIVILEGED),
      ...BASELINE,
      '--format',
      `html=${html}`,
      '--format',
      `json=${json}`,
    ]);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 1, stdout: '' });
    const report = JSON.parse(readFileSync(json, 'utf8')) as ComplianceReport;
    expect(control(report, 'pss', 'privileged').failures).toHaveLength(1);
    const page = readFileSync(html, 'utf8');
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page).toContain('data-control="pss:privileged" data-status="fail"');
  });

  it('reads a directory, recursively, and a kubectl List', async () => {
    const dir = join(work, 'tree');
    mkdirSync(join(dir, 'nested'), { recursive: true });
    writeFileSync(join(dir, 'web.yaml'), PRIVILEGED);
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [parse(CLEAN), parse(PRIVILEGED.replace('web', 'db'))],
    };
    writeFileSync(join(dir, 'nested', 'list.json'), JSON.stringify(list));
    const r = await palisade(['report', '-f', dir, ...BASELINE, '--format', 'json']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 1, stderr: '' });
    const report = JSON.parse(r.stdout) as ComplianceReport;
    expect(report.totals.objects).toBe(3);
    expect(control(report, 'pss', 'privileged').failures.map((f) => f.object)).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Pod',
        namespace: 'shop',
        name: 'db',
        source: `${join(dir, 'nested', 'list.json')}:1`,
      },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        namespace: 'shop',
        name: 'web',
        source: `${join(dir, 'web.yaml')}:1`,
      },
    ]);
  });

  it('honours the config exemptions as admission does', async () => {
    const config = file('exempt.yaml', stringify({ exemptions: { namespaces: ['shop'] } }));
    const r = await palisade([
      'report',
      '-f',
      file('exempt-pods.yaml', PRIVILEGED),
      ...BASELINE,
      '-c',
      config,
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as ComplianceReport;
    expect(report.totals).toMatchObject({ objects: 0, exempt: 1, failing: 0 });
  });

  it.each([
    [[], 'report needs -f <file|dir|-> or --kubeconfig FILE'],
    [
      ['-f', 'x.yaml', '--kubeconfig', 'k'],
      'give either -f (manifests) or --kubeconfig (a cluster), not both',
    ],
    [['-f', 'x.yaml', '--format', 'sarif'], 'unknown format "sarif" (use text, json, html)'],
    [
      ['--kubeconfig', 'k', '--page-size', '0'],
      '--page-size must be an integer from 1 to 5000 (got "0")',
    ],
    [
      ['--kubeconfig', 'k', '--namespace-labels', 'tier=prod'],
      '--namespace-labels describes manifests; a cluster has its own',
    ],
    [
      ['-f', 'x.yaml', '-n', 'a', '-n', 'b'],
      '-n names the one namespace of manifests that name none; give it once',
    ],
    [['-f', '-', '-f', '-'], 'stdin (-) can be read only once'],
    [
      ['-f', 'x.yaml', '--max-failures', 'many'],
      '--max-failures must be an integer from 0 to 1000000 (got "many")',
    ],
  ])('refuses %j as a usage error', async (args, message) => {
    const r = await palisade(['report', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`palisade report: ${message}`);
    expect(r.stderr).toContain('(palisade report --help for usage)');
  });

  it('reports every input problem with file and line, and evaluates nothing', async () => {
    const bad = file(
      'bad.yaml',
      `${CLEAN}---\napiVersion: v1\nkind: Pood\nmetadata: {name: x}\n---\nkey: [unclosed\n`,
    );
    const r = await palisade(['report', '-f', bad, '-f', join(work, 'missing.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('3 input problems, nothing evaluated:');
    // The unknown kind is named at its document's first line, after CLEAN and the separator.
    const line = CLEAN.trimEnd().split('\n').length + 2;
    expect(r.stderr).toContain(`${bad}:${line}: unknown kind Pood in v1; did you mean Pod?`);
    expect(r.stderr).toContain(`${bad}:${line + 5}:1: invalid YAML`);
    expect(r.stderr).toContain(`${join(work, 'missing.yaml')}: cannot read`);
  });

  it('names the kubeconfig it cannot use', async () => {
    const missing = join(work, 'no-such-kubeconfig');
    const r = await palisade(['report', '--kubeconfig', missing, ...BASELINE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(missing);
    expect(r.stdout).toBe('');
  });

  it('names the request an apiserver did not answer', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const kubeconfig = file(
      'dead.kubeconfig',
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'dead',
            cluster: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true },
          },
        ],
        users: [{ name: 'u', user: { token: 'x' } }],
        contexts: [{ name: 'dead', context: { cluster: 'dead', user: 'u' } }],
        'current-context': 'dead',
      }),
    );
    const r = await palisade(['report', '--kubeconfig', kubeconfig, ...BASELINE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'palisade report: listing namespaces: connect ECONNREFUSED 127.0.0.1:1',
    );
    expect(r.stdout).toBe('');
  });
});
