// Reports of one scope from stored results: OpenReports' shape (checked against the CRD's
// field names), summary counts, splitting at maxResultsPerReport with deterministic names,
// one object's results kept together, and the wgpolicyk8s.io flavour.
import type { PolicyResult } from '../../../src/audit/object-audit';
import { buildReports, reportName, summarize } from '../../../src/audit/report-build';
import { CLUSTER, type StoredAudit } from '../../../src/audit/result-store';

const result = (policy: string, r: PolicyResult['result'] = 'pass'): PolicyResult => ({
  policy,
  result: r,
  action: r === 'warn' ? 'warn' : 'deny',
  severity: 'high',
  message: `${policy} says ${r}`,
});

const entry = (name: string, results: PolicyResult[], ns = 'team-a'): StoredAudit => ({
  ref: { apiVersion: 'v1', kind: 'Pod', name, namespace: ns, uid: `u-${name}` },
  results,
  since: 1_700_000_000,
});

describe('buildReports', () => {
  it('builds one Report per namespace with OpenReports fields and summary counts', () => {
    const failing: PolicyResult = {
      ...result('no-priv', 'fail'),
      path: 'spec.containers[0].securityContext.privileged',
      fix: 'set privileged: false',
      controls: { pss: { level: 'baseline', check: 'privileged' }, cis: ['5.2.2'] },
    };
    const [report, ...rest] = buildReports(
      'team-a',
      [entry('a', [failing, result('labels', 'warn')]), entry('b', [result('no-priv')])],
      100,
    );
    expect(rest).toEqual([]);
    expect(report).toMatchObject({
      apiVersion: 'openreports.io/v1alpha1',
      kind: 'Report',
      metadata: {
        name: 'palisade-audit',
        namespace: 'team-a',
        labels: { 'app.kubernetes.io/managed-by': 'palisade', 'palisade.dev/report-part': '1' },
      },
      source: 'palisade',
      summary: { pass: 1, fail: 1, warn: 1, error: 0, skip: 0 },
    });
    expect(report!.results[0]).toEqual({
      source: 'palisade',
      policy: 'no-priv',
      result: 'fail',
      severity: 'high',
      scored: true,
      message: 'no-priv says fail',
      timestamp: { seconds: 1_700_000_000, nanos: 0 },
      resources: [{ apiVersion: 'v1', kind: 'Pod', name: 'a', namespace: 'team-a', uid: 'u-a' }],
      properties: {
        action: 'deny',
        path: 'spec.containers[0].securityContext.privileged',
        fix: 'set privileged: false',
        controls: '{"pss":{"level":"baseline","check":"privileged"},"cis":["5.2.2"]}',
      },
    });
    expect(report!.results[1]).toMatchObject({ result: 'warn', scored: false });
  });

  it('builds a ClusterReport, without a namespace, for cluster-scoped objects', () => {
    const e: StoredAudit = {
      ref: { apiVersion: 'v1', kind: 'Namespace', name: 'x', uid: 'u' },
      results: [result('ns-labels', 'fail')],
      since: 1,
    };
    const [report] = buildReports(CLUSTER, [e], 10);
    expect(report!.kind).toBe('ClusterReport');
    expect(report!.metadata).not.toHaveProperty('namespace');
  });

  it('splits at maxResults into deterministically named parts, keeping an object whole', () => {
    const entries = ['a', 'b', 'c', 'd', 'e'].map((n) =>
      entry(n, [result('p1'), result('p2', 'fail')]),
    );
    const reports = buildReports('team-a', entries, 5);
    // 2 results per object: 2 objects (4 results) fit in 5, the third starts a new part.
    expect(reports.map((r) => [r.metadata.name, r.results.length])).toEqual([
      ['palisade-audit', 4],
      ['palisade-audit-2', 4],
      ['palisade-audit-3', 2],
    ]);
    expect(reports.map((r) => r.summary)).toEqual([
      { pass: 2, fail: 2, warn: 0, error: 0, skip: 0 },
      { pass: 2, fail: 2, warn: 0, error: 0, skip: 0 },
      { pass: 1, fail: 1, warn: 0, error: 0, skip: 0 },
    ]);
    expect(reports.map((r) => r.metadata.labels['palisade.dev/report-part'])).toEqual([
      '1',
      '2',
      '3',
    ]);
    expect(reports.flatMap((r) => r.results.map((x) => x.resources[0]!.name))).toEqual([
      'a',
      'a',
      'b',
      'b',
      'c',
      'c',
      'd',
      'd',
      'e',
      'e',
    ]);
    expect(buildReports('team-a', entries, 5)).toEqual(reports);
  });

  it('cuts an object with more results than maxResults', () => {
    const reports = buildReports(
      'n',
      [
        entry(
          'big',
          ['1', '2', '3'].map((p) => result(p)),
        ),
      ],
      2,
    );
    expect(reports.map((r) => r.results.length)).toEqual([2, 1]);
  });

  it('builds nothing for a scope without results', () => {
    expect(buildReports('gone', [], 10)).toEqual([]);
  });

  it('builds wgpolicyk8s.io/v1alpha2 PolicyReports in the same shape', () => {
    const [r] = buildReports('n', [entry('a', [result('p')])], 10, 'wgpolicy');
    expect([r!.apiVersion, r!.kind]).toEqual(['wgpolicyk8s.io/v1alpha2', 'PolicyReport']);
    const [c] = buildReports(CLUSTER, [entry('a', [result('p')])], 10, 'wgpolicy');
    expect(c!.kind).toBe('ClusterPolicyReport');
  });

  it('maps severities to the three wgpolicyk8s.io/v1alpha2 knows (high, medium, low)', () => {
    const severities = ['critical', 'high', 'medium', 'low', 'info'] as const;
    const e = entry(
      'a',
      severities.map((s) => ({ ...result(s), severity: s })),
    );
    const [w] = buildReports('n', [e], 10, 'wgpolicy');
    expect(w!.results.map((r) => r.severity)).toEqual(['high', 'high', 'medium', 'low', 'low']);
    const [o] = buildReports('n', [e], 10);
    expect(o!.results.map((r) => r.severity)).toEqual([...severities]);
  });
});

describe('summarize and reportName', () => {
  it('counts every result kind, zeros included', () => {
    expect(summarize([{ result: 'error' }, { result: 'skip' }, { result: 'error' }])).toEqual({
      pass: 0,
      fail: 0,
      warn: 0,
      error: 2,
      skip: 1,
    });
  });
  it.each([
    [0, 'palisade-audit'],
    [1, 'palisade-audit-2'],
    [9, 'palisade-audit-10'],
  ])('part %i is %s', (i, name) => expect(reportName(i)).toBe(name));
});
