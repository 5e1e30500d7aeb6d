// `palisade report` against the real apiserver: objects stored with no webhook judging them,
// then the report from the cluster (every kind the audit lists, page by page, namespace labels
// from the cluster for a namespaceSelector) and from `kubectl get -o yaml` of the same objects.
// Other e2e files share the apiserver, so only this test's namespaces are looked at.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ComplianceReport, Failure } from '../../src/audit/compliance/report-model';
import { palisade } from '../integration/cli-run';
import { KUBECONFIG, kubectl, requireCluster } from '../support/cluster';
import { createNamespace, uniqueName } from './namespaces';

jest.setTimeout(120_000);

const run = uniqueName('report');
const prod = `${run}-prod`;
const dev = `${run}-dev`;
let work: string;
let config: string;

const privilegedPod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: {
    containers: [
      {
        name: 'app',
        image: 'registry.example.com/web:1.0.0',
        securityContext: { privileged: true },
      },
    ],
  },
});
const hostNetworkDeployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'api' } },
    template: {
      metadata: { labels: { app: 'api' } },
      spec: {
        hostNetwork: true,
        containers: [{ name: 'api', image: 'registry.example.com/api:2.0.0' }],
      },
    },
  },
};

beforeAll(async () => {
  requireCluster();
  work = mkdtempSync(join(tmpdir(), 'palisade-report-e2e-'));
  // The privileged check applies to production namespaces only: the report must judge it with
  // the namespaces' labels as the cluster has them.
  config = join(work, 'config.yaml');
  writeFileSync(
    config,
    stringify({
      policies: {
        'pss-baseline-privileged': {
          match: { namespaceSelector: { matchLabels: { tier: 'production' } } },
        },
      },
    }),
  );
  await createNamespace(prod, { tier: 'production' });
  await createNamespace(dev, { tier: 'development' });
  for (const [ns, obj] of [
    [prod, privilegedPod('web')],
    [dev, privilegedPod('web')],
    [dev, hostNetworkDeployment],
  ] as const) {
    const created = await kubectl(['create', '-n', ns, '-f', '-'], JSON.stringify(obj));
    expect(created.stderr).toBe('');
  }
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** This test's failures of one control, without where they were read (file:line or none). */
function ours(report: ComplianceReport, framework: string, id: string): Failure[] {
  const control = report.frameworks
    .find((f) => f.id === framework)!
    .controls.find((c) => c.id === id)!;
  return control.failures
    .filter((f) => f.object.namespace === prod || f.object.namespace === dev)
    .map(({ object, ...rest }) => ({ ...rest, object: { ...object, source: undefined } }));
}

async function report(args: string[], input?: string): Promise<ComplianceReport> {
  const file = join(work, `report-${Math.random().toString(16).slice(2)}.json`);
  const r = await palisade(['report', ...args, '--config', config, '--format', `json=${file}`], {
    input,
  });
  expect(r.code).toBe(1);
  return JSON.parse(readFileSync(file, 'utf8')) as ComplianceReport;
}

describe('palisade report on a cluster', () => {
  let fromCluster: ComplianceReport;
  beforeAll(async () => {
    // Only this test's namespaces (the apiserver is shared), two objects a page: the lists of
    // namespaces and of the cluster-scoped kinds take several pages.
    fromCluster = await report([
      '--kubeconfig',
      KUBECONFIG,
      '-n',
      prod,
      '-n',
      dev,
      '--page-size',
      '2',
    ]);
  });

  it('lists the failing objects of each control, with the namespace labels the cluster has', () => {
    expect(ours(fromCluster, 'pss', 'privileged').map((f) => f.object)).toEqual([
      { apiVersion: 'v1', kind: 'Pod', namespace: prod, name: 'web', source: undefined },
    ]);
    const host = ours(fromCluster, 'pss', 'hostNamespaces');
    expect(host.map((f) => [f.object.kind, f.object.namespace, f.object.name, f.path])).toEqual([
      ['Deployment', dev, 'api', 'spec.template.spec.hostNetwork'],
    ]);
    expect(host[0]!.fix).toBeTruthy();
    expect(fromCluster.namespaces).toEqual([dev, prod].sort());
    expect(fromCluster.source).toEqual({ type: 'cluster', inputs: [KUBECONFIG] });
  });

  it('says the same from `kubectl get -o yaml` of those namespaces and their objects', async () => {
    const parts: string[] = [];
    for (const args of [
      ['get', 'namespace', prod, dev, '-o', 'yaml'],
      ['get', 'pods,deployments', '-n', prod, '-o', 'yaml'],
      ['get', 'pods,deployments', '-n', dev, '-o', 'yaml'],
    ]) {
      const got = await kubectl(args);
      expect(got.stderr).toBe('');
      parts.push(got.stdout);
    }
    const fromYaml = await report(['-f', '-'], parts.join('---\n'));
    for (const [framework, id] of [
      ['pss', 'privileged'],
      ['pss', 'hostNamespaces'],
      ['pss', 'allowPrivilegeEscalation'],
      ['cis', '5.2.2'],
    ] as const) {
      expect(ours(fromYaml, framework, id)).toEqual(ours(fromCluster, framework, id));
    }
    expect(fromYaml.totals.objects).toBe(5);
  });
});
