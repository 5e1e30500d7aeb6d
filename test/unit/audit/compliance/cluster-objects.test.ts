// scanCluster on a stand-in for the Kubernetes API, for what the real apiserver cannot be made to
// do on demand: a continue token that expires in the middle of a list (410, the list restarts),
// and a kind the cluster does not serve. The listing against the real apiserver, page by page, is
// test/e2e/report-cluster.test.ts.
import { scanCluster } from '../../../../src/audit/compliance/cluster-objects';
import { ComplianceTally } from '../../../../src/audit/compliance/tally';
import type { ObjectAudit } from '../../../../src/audit/object-audit';
import type {
  KubeObject,
  KubeResources,
  ListAllOptions,
  ResourceInfo,
} from '../../../../src/kube/resources';
import { stubEvaluator, stubSnapshot } from '../../../support/stub-snapshot';

const info = (kind: string, plural: string, group = '', version = 'v1'): ResourceInfo => ({
  group,
  version,
  kind,
  plural,
  namespaced: kind !== 'Namespace',
  verbs: ['get', 'list', 'watch'],
  apiVersion: group ? `${group}/${version}` : version,
});

const pod = (name: string, namespace: string): KubeObject => ({
  metadata: { name, namespace, uid: `uid-${name}` },
  spec: { containers: [{ name: 'app', image: 'app:1' }] },
});

/** Serves Pods and Namespaces; a Pod list restarts once after its first page. */
function fakeKube(): KubeResources & { lists: string[] } {
  const lists: string[] = [];
  const served = new Map([
    ['Pod', info('Pod', 'pods')],
    ['Namespace', info('Namespace', 'namespaces')],
  ]);
  return {
    lists,
    resolve: (gvk) => Promise.resolve(served.get(gvk.kind)),
    async listAll(r: ResourceInfo, o: ListAllOptions) {
      lists.push(`${r.plural}${o.namespace ? ` -n ${o.namespace}` : ''} limit=${o.limit}`);
      if (r.kind === 'Namespace') {
        await o.onPage([
          { metadata: { name: 'prod', labels: { tier: 'production' } } },
          { metadata: { name: 'dev', labels: { tier: 'development' } } },
        ]);
      } else {
        const all = [pod('a', 'prod'), pod('b', 'dev')];
        const mine = all.filter((p) => !o.namespace || p.metadata!.namespace === o.namespace);
        await o.onPage(mine.slice(0, 1));
        o.onRestart?.();
        await o.onPage(mine);
      }
      return { resourceVersion: '9' };
    },
  } as KubeResources & { lists: string[] };
}

describe('scanCluster', () => {
  it('evaluates each listed object once, a restarted list included, with the cluster’s namespace labels', async () => {
    const evaluator = stubEvaluator((input) =>
      input.review.namespace === 'prod' ? [{ policy: 'prod-only', msg: 'bad' }] : [],
    );
    const snapshot = stubSnapshot(
      [
        { id: 'prod-only', namespaceSelector: { matchLabels: { tier: 'production' } } },
        { id: 'everywhere' },
        { id: 'deployments', kinds: ['Deployment'] },
        { id: 'secrets', kinds: ['Secret'] },
        { id: 'widgets', kinds: ['Widget'] },
      ],
      evaluator,
    );
    const kube = fakeKube();
    const audits: ObjectAudit[] = [];
    const notes: string[] = [];
    const enabled = snapshot.policies.map((p) => ({ ...p.meta, action: 'deny' as const }));
    const tally = new ComplianceTally(enabled);
    await scanCluster(
      snapshot,
      {
        kubeconfig: 'unused',
        pageSize: 2,
        onNote: (n) => notes.push(n),
        onAudit: (a) => audits.push(a),
      },
      tally,
      kube,
    );
    expect(kube.lists).toEqual(['namespaces limit=2', 'pods limit=2']);
    // The restarted list gave prod/a twice; it is counted once.
    expect(audits.map((a) => `${a.ref.namespace}/${a.ref.name}`)).toEqual([
      'prod/a',
      'prod/a',
      'dev/b',
    ]);
    const report = tally.report({
      generatedAt: '',
      palisadeVersion: '',
      source: { type: 'cluster', inputs: [] },
    });
    expect(report.totals).toMatchObject({ objects: 2, evaluated: 2, failing: 0 });
    expect(report.namespaces).toEqual(['dev', 'prod']);
    const counts = (id: string) => report.policies.find((p) => p.id === id)!.objects;
    // dev is not a production namespace: the selector leaves prod-only out there.
    expect(counts('prod-only')).toEqual({ pass: 0, fail: 1, error: 0 });
    expect(counts('everywhere')).toEqual({ pass: 2, fail: 0, error: 0 });
    const a = audits.find((x) => x.ref.name === 'a')!;
    expect(a.results.map((r) => `${r.policy}:${r.result}`)).toEqual([
      'prod-only:fail',
      'everywhere:pass',
    ]);
    expect(a.ref.apiVersion).toBe('v1');
    expect(notes).toEqual([
      'kind Widget is not a built-in kind: not listed (give its objects with -f)',
      'Secrets are not listed: that would read their data (as the audit, docs/audit.md)',
      'Deployment (apps/v1) is not served by the cluster: not listed',
    ]);
  });

  it('lists namespaced kinds only in the namespaces asked for, a restart in one keeping the others', async () => {
    const snapshot = stubSnapshot([{ id: 'everywhere' }], stubEvaluator());
    const kube = fakeKube();
    const tally = new ComplianceTally(
      snapshot.policies.map((p) => ({ ...p.meta, action: 'deny' as const })),
    );
    await scanCluster(
      snapshot,
      { kubeconfig: 'unused', pageSize: 5, namespaces: ['prod', 'dev'], onNote: () => undefined },
      tally,
      kube,
    );
    // Namespaces themselves are cluster-scoped: listed whole, for their labels.
    expect(kube.lists).toEqual([
      'namespaces limit=5',
      'pods -n prod limit=5',
      'pods -n dev limit=5',
    ]);
    const report = tally.report({
      generatedAt: '',
      palisadeVersion: '',
      source: { type: 'cluster', inputs: [] },
    });
    expect(report.totals.objects).toBe(2);
    expect(report.policies[0]!.objects).toEqual({ pass: 2, fail: 0, error: 0 });
  });
});
