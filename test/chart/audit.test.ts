// templates/audit-rbac.yaml, audit-crds.yaml and the audit block of config.yaml: the background
// audit with the least privilege (list and watch of exactly the kinds the enabled policies match,
// never Secrets; write of its reports, of Events, of its own Lease), the OpenReports CRDs
// unchanged from the pinned module, and audit.enabled on by default. Rendered by the real helm.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { validateConfig } from '../../src/config/load';
import { CHART, find, render, renderError, ROOT, type K8sObject } from './render';

interface Summary {
  policies: Record<string, { action: string; kinds: string[] }>;
  kinds: Record<string, { group: string; resources: string[] }>;
}
const summary = JSON.parse(readFileSync(join(CHART, 'files', 'policies.json'), 'utf8')) as Summary;

/** The list/watch rules the audit should have for these policy ids: group → resources. */
function expectedReads(ids: string[]): Record<string, string[]> {
  const out: Record<string, Set<string>> = { '': new Set(['namespaces']) };
  for (const id of ids) {
    for (const kind of summary.policies[id]!.kinds) {
      if (kind === 'Secret' || kind === '*') continue;
      const k = summary.kinds[kind]!;
      for (const r of k.resources.filter((x) => !x.includes('/'))) {
        (out[k.group] ??= new Set()).add(r);
      }
    }
  }
  return Object.fromEntries(Object.entries(out).map(([g, s]) => [g, [...s].sort()]));
}

const auditRole = (objects: K8sObject[]) => find(objects, 'ClusterRole', 'palisade-audit');
const readsOf = (role: K8sObject) =>
  Object.fromEntries(
    role.rules
      .filter((r: { verbs: string[] }) => r.verbs.join() === 'list,watch')
      .map((r: { apiGroups: string[]; resources: string[] }) => [r.apiGroups[0], r.resources]),
  );
const configOf = (objects: K8sObject[]) =>
  validateConfig('config.yaml', parse(find(objects, 'ConfigMap').data['config.yaml']));

describe('audit.enabled (default true)', () => {
  const objects = render();

  it('lists and watches exactly the kinds of the policies that are not off, never Secrets', () => {
    const enabled = Object.entries(summary.policies)
      .filter(([, p]) => p.action !== 'off')
      .map(([id]) => id);
    const reads = readsOf(auditRole(objects));
    expect(reads).toEqual(expectedReads(enabled));
    expect(Object.values(reads).flat()).not.toContain('secrets');
  });

  it('writes its reports and Events, and nothing else cluster-wide', () => {
    const writes = auditRole(objects).rules.filter(
      (r: { verbs: string[] }) => r.verbs.join() !== 'list,watch',
    );
    expect(writes).toEqual([
      {
        apiGroups: ['openreports.io'],
        resources: ['reports', 'clusterreports'],
        verbs: ['list', 'create', 'update', 'delete'],
      },
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
    ]);
  });

  it('creates its Lease, and reads and updates only that one, in the release namespace', () => {
    const role = find(objects, 'Role', 'palisade-audit-lease');
    expect(role.metadata.namespace).toBe('palisade-system');
    expect(role.rules).toEqual([
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        resourceNames: ['palisade-audit'],
        verbs: ['get', 'update'],
      },
    ]);
    for (const [kind, name] of [
      ['ClusterRoleBinding', 'palisade-audit'],
      ['RoleBinding', 'palisade-audit-lease'],
    ] as const) {
      expect(find(objects, kind, name).subjects).toEqual([
        { kind: 'ServiceAccount', name: 'palisade', namespace: 'palisade-system' },
      ]);
    }
  });

  it('gives Palisade an audit config it accepts, the Lease in the release namespace', () => {
    expect(configOf(objects).audit).toEqual({
      enabled: true,
      intervalMinutes: 60,
      pageSize: 500,
      maxResultsPerReport: 1000,
      policyReports: false,
      events: true,
      namespaces: [],
      lease: {
        name: 'palisade-audit',
        namespace: 'palisade-system',
        durationSeconds: 15,
        renewDeadlineSeconds: 10,
        retryPeriodSeconds: 2,
      },
    });
  });

  it('installs the OpenReports CRDs, kept on uninstall, as the pinned module has them', () => {
    const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
    expect(crds.map((c) => c.metadata.name).sort()).toEqual([
      'clusterreports.openreports.io',
      'reports.openreports.io',
    ]);
    for (const crd of crds) {
      expect(crd.metadata.annotations!['helm.sh/resource-policy']).toBe('keep');
      const file = join(
        CHART,
        'files',
        'crds',
        `${crd.metadata.name.replace(/^(\w+)\.(.*)$/, '$2_$1')}.yaml`,
      );
      const original = parse(readFileSync(file, 'utf8')) as K8sObject;
      expect(crd.spec).toEqual(original.spec);
    }
    const columns = crds
      .find((c) => c.metadata.name === 'reports.openreports.io')!
      .spec.versions[0].additionalPrinterColumns.map((c: { name: string }) => c.name);
    expect(columns).toEqual(expect.arrayContaining(['Pass', 'Fail', 'Warn', 'Error', 'Skip']));
  });
});

it('the chart copies of the CRDs are the files of github.com/openreports/reports-api (scripts/tools.sh reports-api)', () => {
  const module = join(ROOT, '.tools', 'reports-api');
  const files = readdirSync(join(CHART, 'files', 'crds')).sort();
  expect(
    readdirSync(module)
      .filter((f) => f.endsWith('.yaml'))
      .sort(),
  ).toEqual(files);
  for (const f of files) {
    expect(readFileSync(join(CHART, 'files', 'crds', f), 'utf8')).toBe(
      readFileSync(join(module, f), 'utf8'),
    );
  }
});

it('a policy turned off takes its kinds out of the audit RBAC', () => {
  const off = Object.fromEntries(
    Object.keys(summary.policies)
      .filter((id) => id !== 'disallow-cluster-admin-binding')
      .map((id) => [id, { action: 'off' }]),
  );
  const role = auditRole(render({ set: { policies: off } }));
  expect(readsOf(role)).toEqual({
    '': ['namespaces'],
    'rbac.authorization.k8s.io': ['clusterrolebindings', 'rolebindings'],
  });
});

it('audit.policyReports adds the wgpolicyk8s.io reports; audit.events false drops Events', () => {
  const role = auditRole(render({ set: { 'audit.policyReports': true, 'audit.events': false } }));
  const writes = role.rules.filter((r: { verbs: string[] }) => r.verbs.join() !== 'list,watch');
  expect(writes.map((r: { apiGroups: string[] }) => r.apiGroups[0])).toEqual([
    'openreports.io',
    'wgpolicyk8s.io',
  ]);
});

it('audit.crds.install false installs no CRD; audit.enabled false neither, nor any audit RBAC', () => {
  const noCrds = render({ set: { 'audit.crds.install': false } });
  expect(noCrds.filter((o) => o.kind === 'CustomResourceDefinition')).toEqual([]);
  const off = render({ set: { 'audit.enabled': false } });
  expect(off.filter((o) => o.kind === 'CustomResourceDefinition')).toEqual([]);
  expect(off.filter((o) => /-audit(-lease)?$/.test(o.metadata.name))).toEqual([]);
  expect(configOf(off).audit.enabled).toBe(false);
});

it('audit.lease.name names the Lease the Role grants', () => {
  const role = find(
    render({ set: { 'audit.lease.name': 'corp-audit' } }),
    'Role',
    'palisade-audit-lease',
  );
  expect(role.rules[1].resourceNames).toEqual(['corp-audit']);
});

it('a misspelt audit value fails the install, naming it', () => {
  expect(renderError({ set: { 'audit.intervalMinute': 5 } })).toMatch(/intervalMinute/);
});
