// The optional objects (PDB, HPA, NetworkPolicy, ServiceMonitor) and the helm test pod.
import { find, kinds, render } from './render';

const production = render({ values: ['production-values.yaml'] });

describe('podDisruptionBudget', () => {
  it('keeps one pod available by default, for the Deployment pods only', () => {
    const objects = render();
    const pdb = find(objects, 'PodDisruptionBudget');
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.maxUnavailable).toBeUndefined();
    expect(pdb.spec.selector).toEqual(find(objects, 'Deployment').spec.selector);
  });

  it('maxUnavailable replaces minAvailable', () => {
    const pdb = find(production, 'PodDisruptionBudget');
    expect(pdb.spec).toMatchObject({ maxUnavailable: 1 });
    expect(pdb.spec.minAvailable).toBeUndefined();
  });

  it('enabled false removes it', () => {
    expect(kinds(render({ set: { 'podDisruptionBudget.enabled': false } }))).not.toContain(
      'PodDisruptionBudget',
    );
  });
});

it('none of NetworkPolicy, ServiceMonitor, HPA by default', () => {
  // Twice: the webhook's and the background audit's (audit.enabled, templates/audit-*.yaml).
  expect(kinds(render())).toEqual([
    'ClusterRole',
    'ClusterRole',
    'ClusterRoleBinding',
    'ClusterRoleBinding',
    'ConfigMap',
    'CustomResourceDefinition',
    'CustomResourceDefinition',
    'Deployment',
    'Pod',
    'PodDisruptionBudget',
    'Role',
    'Role',
    'RoleBinding',
    'RoleBinding',
    'Secret',
    'Service',
    'ServiceAccount',
    'ValidatingWebhookConfiguration',
  ]);
});

it('autoscaling: an HPA on the Deployment', () => {
  const hpa = find(production, 'HorizontalPodAutoscaler');
  expect(hpa.spec).toMatchObject({
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'palisade' },
    minReplicas: 3,
    maxReplicas: 9,
  });
  expect(hpa.spec.metrics[0].resource).toEqual({
    name: 'cpu',
    target: { type: 'Utilization', averageUtilization: 70 },
  });
});

describe('networkPolicy', () => {
  const np = find(production, 'NetworkPolicy');

  it('admits ingressFrom on the HTTPS port only', () => {
    expect(np.spec.ingress).toEqual([
      { ports: [{ port: 'https', protocol: 'TCP' }], from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] },
    ]);
  });

  it('with apiServerCIDRs, egress only to DNS and the apiserver', () => {
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.egress[1]).toEqual({
      to: [{ ipBlock: { cidr: '10.96.0.1/32' } }],
      ports: [
        { port: 443, protocol: 'TCP' },
        { port: 6443, protocol: 'TCP' },
      ],
    });
  });

  it('ingress from anywhere and no egress rule when left empty', () => {
    const open = find(render({ set: { 'networkPolicy.enabled': true } }), 'NetworkPolicy');
    expect(open.spec.policyTypes).toEqual(['Ingress']);
    expect(open.spec.ingress).toEqual([{ ports: [{ port: 'https', protocol: 'TCP' }] }]);
  });
});

it('serviceMonitor: scrapes /metrics over HTTPS, verified with the TLS Secret CA', () => {
  const sm = find(production, 'ServiceMonitor');
  expect(sm.metadata.labels).toMatchObject({ release: 'prometheus' });
  expect(sm.spec.endpoints).toEqual([
    {
      port: 'https',
      scheme: 'https',
      path: '/metrics',
      interval: '30s',
      scrapeTimeout: '10s',
      tlsConfig: {
        serverName: 'palisade.palisade-system.svc',
        ca: { secret: { name: 'palisade-tls', key: 'ca.crt' } },
      },
    },
  ]);
});

describe('helm test pod', () => {
  const objects = render();
  const pod = find(objects, 'Pod');

  it('is a test hook, deleted when it passes', () => {
    expect(pod.metadata.annotations).toEqual({
      'helm.sh/hook': 'test',
      'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
    });
  });

  it('is not selected by the Service or the PDB', () => {
    const selector = find(objects, 'Service').spec.selector;
    const labels = pod.metadata.labels ?? {};
    expect(Object.entries(selector).every(([k, v]) => labels[k] === v)).toBe(false);
  });

  it('calls the Service with the CA from the TLS Secret', () => {
    const c = pod.spec.containers[0];
    expect(c.args[0]).toBe('-e');
    expect(c.args[1]).toContain("call('POST', '/validate'");
    expect(c.env).toEqual([
      { name: 'PALISADE_HOST', value: 'palisade.palisade-system.svc' },
      { name: 'PALISADE_PORT', value: '443' },
      { name: 'PALISADE_CA_FILE', value: '/etc/palisade/tls/ca.crt' },
    ]);
  });

  it('tests.enabled false removes it', () => {
    expect(kinds(render({ set: { 'tests.enabled': false } }))).not.toContain('Pod');
  });
});
