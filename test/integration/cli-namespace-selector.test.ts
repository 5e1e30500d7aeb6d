// The built CLI with a policy's namespaceSelector: namespaces from the input and from the
// command line decide which objects the policy applies to.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { palisade } from './cli-run';

jest.setTimeout(120_000);

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'palisade-cli-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

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
