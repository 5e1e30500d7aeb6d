// A small catalogue, three policies and audits of a few objects, for the tally and the renderers.
import type { Framework } from '../../../../src/audit/compliance/catalogue';
import type { EnabledPolicy } from '../../../../src/audit/compliance/tally';
import type { ObjectAudit, PolicyResult } from '../../../../src/audit/object-audit';

export const CATALOGUE: Framework[] = [
  {
    id: 'pss',
    name: 'Pod Security Standards',
    version: 'test',
    source: 'test catalogue',
    controls: [
      { id: 'privileged', title: 'Privileged Containers', level: 'baseline' },
      { id: 'hostPorts', title: 'Host Ports', level: 'baseline' },
      { id: 'runAsNonRoot', title: 'Running as Non-root', level: 'restricted' },
    ],
  },
  {
    id: 'cis',
    name: 'CIS Kubernetes Benchmark',
    version: 'test',
    source: 'test catalogue',
    controls: [
      { id: '5.2.2', title: 'Minimize the admission of privileged containers' },
      { id: '5.2.7', title: 'Minimize the admission of root containers' },
      { id: '5.7.4', title: 'The default namespace should not be used' },
    ],
  },
  { id: 'nsa', name: 'NSA-CISA', version: 'test', source: 'test catalogue', controls: [] },
];

const policy = (
  id: string,
  action: EnabledPolicy['action'],
  controls: Record<string, unknown>,
): EnabledPolicy => ({ id, title: `title of ${id}`, action, match: {}, controls });

export const POLICIES: EnabledPolicy[] = [
  policy('privileged', 'deny', { pss: { level: 'baseline', check: 'privileged' }, cis: ['5.2.2'] }),
  policy('non-root', 'warn', {
    pss: { level: 'restricted', check: 'runAsNonRoot' },
    cis: ['5.2.7'],
  }),
  policy('non-root-user', 'audit', { cis: ['5.2.7'], nsa: 'Pod security: Non-root' }),
];

export function result(
  policyId: string,
  r: PolicyResult['result'],
  extra: Partial<PolicyResult> = {},
): PolicyResult {
  const p = POLICIES.find((x) => x.id === policyId)!;
  return {
    policy: policyId,
    result: r,
    action: p.action,
    severity: 'high',
    message: r === 'pass' ? p.title : `${policyId} violated`,
    ...extra,
  };
}

export function audit(
  kind: string,
  namespace: string | undefined,
  name: string,
  results: PolicyResult[],
  exempt?: string,
): ObjectAudit {
  return {
    ref: { apiVersion: 'v1', kind, name, ...(namespace ? { namespace } : {}), uid: name },
    ...(exempt ? { exempt } : {}),
    results,
  };
}

export const ABOUT = {
  generatedAt: '2026-12-02T04:00:00.000Z',
  palisadeVersion: '0.1.0',
  source: { type: 'manifests' as const, inputs: ['k8s/'] },
};
