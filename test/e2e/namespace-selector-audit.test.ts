// `palisade eval` audits what a cluster already runs: a policy's namespaceSelector judged with
// the namespaces `kubectl get` prints beside the objects, against the real apiserver.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { palisade as palisadeCli } from '../integration/cli-run';
import { kubectl, requireCluster } from '../support/cluster';
import { createNamespace, uniqueName } from './namespaces';
import { latestPod, selectorPolicies, TIER } from './namespace-selector';

const run = uniqueName('nsaudit');

beforeAll(() => requireCluster());

it('palisade eval audits what a cluster already runs, with the namespaces from kubectl get', async () => {
  // Stored before any webhook judges them (these namespaces lack the webhook's label).
  const prod = await createNamespace(`${run}-audit-prod`, { [TIER]: 'production' });
  const dev = await createNamespace(`${run}-audit-dev`, { [TIER]: 'development' });
  for (const ns of [prod, dev]) {
    const created = await kubectl(
      ['create', '-n', ns, '-f', '-'],
      JSON.stringify(latestPod('web')),
    );
    expect(created.code).toBe(0);
  }
  const namespaces = await kubectl(['get', 'namespace', prod, dev, '-o', 'yaml']);
  // Other e2e files (and earlier runs) share the apiserver: only this test's namespaces.
  const pods = [];
  for (const ns of [prod, dev])
    pods.push((await kubectl(['get', 'pods', '-n', ns, '-o', 'yaml'])).stdout);
  const dir = mkdtempSync(join(tmpdir(), 'palisade-audit-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, stringify({ policies: selectorPolicies }));
  const audit = await palisadeCli(
    ['eval', '-f', '-', '--config', config, '--policy', 'disallow-latest-tag', '-o', 'json'],
    { input: [namespaces.stdout, ...pods].join('---\n') },
  );
  rmSync(dir, { recursive: true, force: true });
  expect(audit.stderr).toBe('');
  const results = JSON.parse(audit.stdout).results as Array<{
    kind: string;
    namespace: string;
    allowed: boolean;
  }>;
  const verdict = (ns: string) =>
    results.filter((r) => r.kind === 'Pod' && r.namespace === ns).map((r) => r.allowed);
  expect(verdict(prod)).toEqual([false]);
  expect(verdict(dev)).toEqual([true]);
});
