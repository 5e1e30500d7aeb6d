// A small report with one denied, one warned and one clean object, for the formatter tests.
import { denyMessage, warningLines } from '../../../src/admission/messages';
import type { PolicyMeta } from '../../../src/policy/policy-meta';
import type { ObjectResult, Report, ResultViolation } from '../../../src/cli/results';

const v = (
  policy: string,
  action: ResultViolation['action'],
  path: string,
  line: number,
): ResultViolation => ({
  policy,
  action,
  msg: `${policy} <bad> & "quoted"`,
  path,
  fix: 'do it',
  details: {},
  line,
});

const priv = v('disallow-privileged', 'deny', 'spec.containers[0].securityContext.privileged', 9);
const limits = v('require-resource-limits', 'warn', 'spec.containers[0].resources.limits', 7);
const labels = v('require-labels', 'audit', 'metadata.labels', 3);

const base = { apiVersion: 'v1', operation: 'CREATE' as const, auditAnnotations: {}, warnings: [] };

export const denied: ObjectResult = {
  ...base,
  source: 'k8s/pod.yaml',
  line: 1,
  kind: 'Pod',
  namespace: 'shop',
  name: 'web',
  outcome: 'deny',
  allowed: false,
  message: denyMessage([priv]),
  warnings: warningLines([limits]),
  violations: [priv, limits, labels],
};

export const warned: ObjectResult = {
  ...base,
  source: 'k8s/pod.yaml',
  line: 20,
  kind: 'Deployment',
  namespace: 'shop',
  name: 'api',
  outcome: 'allow',
  allowed: true,
  warnings: warningLines([limits]),
  violations: [{ ...limits, line: 31 }],
};

export const clean: ObjectResult = {
  ...base,
  source: 'k8s/ns.yaml',
  line: 1,
  kind: 'Namespace',
  namespace: null,
  name: 'shop',
  outcome: 'allow',
  allowed: true,
  violations: [],
};

const meta = (id: string, severity: string, action: PolicyMeta['action']): PolicyMeta => ({
  id,
  title: `Title of ${id}`,
  description: `What ${id} checks.`,
  severity,
  action,
  match: {},
  docs: `https://example.com/${id}`,
  controls:
    id === 'disallow-privileged'
      ? { pss: { level: 'baseline', check: 'privileged' }, cis: ['5.2.2'] }
      : {},
});

export function report(over: Partial<Report> = {}): Report {
  return {
    results: [denied, warned, clean],
    policies: [
      meta('disallow-privileged', 'critical', 'deny'),
      meta('require-labels', 'low', 'audit'),
      meta('require-resource-limits', 'medium', 'warn'),
    ],
    failOn: 'deny',
    color: false,
    version: '0.1.0',
    ...over,
  };
}
