// docs/threat-model.md, "Over-broad RBAC": whatever the values, the chart grants no write verb
// beyond what its TLS mode needs — tls.mode auto updates its own Secret and its own
// ValidatingWebhookConfiguration, by name; every other mode writes nothing — and never a verb that
// escalates (bind, escalate, impersonate) or a wildcard. Each case is rendered by the real helm.
import { render as renderChart, SCENARIOS, withoutAuditRbac, type K8sObject } from './render';

// The webhook's permissions; the audit's (audit.enabled, on by default: reports, Events, its
// Lease) are asserted in audit.test.ts.
const render = (...args: Parameters<typeof renderChart>) => withoutAuditRbac(renderChart(...args));

const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const ESCALATING_VERBS = ['bind', 'escalate', 'impersonate', '*'];

interface Grant {
  role: string;
  resource: string;
  verb: string;
  names: string;
}

/** Every (resource, verb) a Role or ClusterRole of the rendering grants. */
function grants(objects: K8sObject[]): Grant[] {
  const out: Grant[] = [];
  for (const o of objects.filter((x) => x.kind === 'Role' || x.kind === 'ClusterRole')) {
    for (const rule of o.rules ?? []) {
      for (const group of rule.apiGroups ?? [])
        for (const resource of rule.resources ?? [])
          for (const verb of rule.verbs ?? [])
            out.push({
              role: o.kind,
              resource: group ? `${group}/${resource}` : resource,
              verb,
              names: (rule.resourceNames ?? []).join(','),
            });
    }
  }
  return out;
}

const selector = { namespaceSelector: { matchLabels: { tier: 'production' } } };
const CASES: Array<[string, { values?: string[]; set?: Record<string, unknown> }, Grant[]]> = [
  [
    'tls.mode auto (default)',
    {},
    [
      { role: 'Role', resource: 'secrets', verb: 'update', names: 'palisade-tls' },
      {
        role: 'ClusterRole',
        resource: 'admissionregistration.k8s.io/validatingwebhookconfigurations',
        verb: 'update',
        names: 'palisade',
      },
    ],
  ],
  [
    'tls.mode auto with a namespaceSelector policy',
    { set: { 'policies.require-probes.match': selector } },
    [
      { role: 'Role', resource: 'secrets', verb: 'update', names: 'palisade-tls' },
      {
        role: 'ClusterRole',
        resource: 'admissionregistration.k8s.io/validatingwebhookconfigurations',
        verb: 'update',
        names: 'palisade',
      },
    ],
  ],
  // The scenarios in tls.mode secret or cert-manager (production, url and oci-bundle are auto).
  ...SCENARIOS.filter((s) => !/^(production|url|oci-bundle)/.test(s)).map(
    (s): [string, { values: string[] }, Grant[]] => [s, { values: [s] }, []],
  ),
  [
    'secret-values.yaml with a namespaceSelector policy',
    { values: ['secret-values.yaml'], set: { 'policies.require-probes.match': selector } },
    [],
  ],
];

it.each(CASES)('%s: writes only what its TLS mode needs', (_name, opts, wantWrites) => {
  const all = grants(render(opts));
  const writes = all.filter((g) => WRITE_VERBS.includes(g.verb));
  expect(writes).toEqual(expect.arrayContaining(wantWrites));
  expect(writes).toHaveLength(wantWrites.length);
  expect(all.filter((g) => ESCALATING_VERBS.includes(g.verb))).toEqual([]);
  expect(all.filter((g) => g.resource.includes('*'))).toEqual([]);
  // Reads of anything but namespaces are by name (its own Secret, its own configuration).
  for (const g of all.filter((x) => x.resource !== 'namespaces')) expect(g.names).not.toBe('');
});

it.each(SCENARIOS)('%s: grants no write verb beyond tls.mode auto', (scenario) => {
  const writes = grants(render({ values: [scenario] })).filter((g) => WRITE_VERBS.includes(g.verb));
  for (const w of writes) {
    expect(w.verb).toBe('update');
    expect(w.names).not.toBe('');
  }
});
