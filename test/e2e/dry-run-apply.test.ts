// The helpers other suites build on (chart tests, Pod Security comparisons): rendered manifests
// applied with server-side dry run, one result per object, in a namespace where the apiserver's
// own Pod Security Admission enforces baseline and warns about restricted.
import { stringify } from 'yaml';
import { kubectl } from '../support/cluster';
import { dryRunApply, parseManifests } from './dry-run-apply';
import { deploymentObject, podObject } from './manifests';
import { createPodSecurityNamespace, podSecurityLabels } from './namespaces';

const RESTRICTED_GAPS =
  'allowPrivilegeEscalation != false (container "app" must set ' +
  'securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "app" ' +
  'must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container ' +
  '"app" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "app" ' +
  'must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';

it('dry-runs each rendered object through the apiserver, one result each, storing nothing', async () => {
  const ns = await createPodSecurityNamespace('e2e-dry-apply', {
    enforce: 'baseline',
    warn: 'restricted',
  });
  const rendered = [
    '# Source: palisade/templates/configmap.yaml',
    stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: 'b' } }),
    '---\n# Source: palisade/templates/empty.yaml (renders nothing)\n---',
    stringify(deploymentObject('web')),
    '---',
    stringify(podObject('priv', { privileged: true })),
    '---',
    stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: {} }),
  ].join('\n');
  const results = await dryRunApply(rendered, { namespace: ns });
  expect(results.map((r) => [r.kind, r.name, r.ok])).toEqual([
    ['ConfigMap', 'cfg', true],
    ['Deployment', 'web', true],
    ['Pod', 'priv', false],
    ['Service', 'svc', false],
  ]);
  const [cfg, web, priv, svc] = results;
  expect(cfg).toMatchObject({ warnings: [], object: { data: { a: 'b' } } });
  expect(cfg!.object!.metadata).toMatchObject({ name: 'cfg', namespace: ns });
  // Pod Security warns about workloads and enforces on Pods.
  expect(web!.warnings).toEqual([
    `would violate PodSecurity "restricted:latest": ${RESTRICTED_GAPS}`,
  ]);
  expect(priv).toMatchObject({
    warnings: [],
    error:
      'Error from server (Forbidden): error when creating "STDIN": pods "priv" is forbidden: ' +
      'violates PodSecurity "baseline:latest": privileged (container "app" must not set ' +
      'securityContext.privileged=true)',
  });
  expect(svc!.error).toBe('The Service "svc" is invalid: spec.ports: Required value');
  expect(
    await kubectl(['get', 'configmaps,deployments,pods,services', '-n', ns, '-o', 'name']),
  ).toEqual({
    code: 0,
    stdout: '',
    stderr: '',
  });
});

it('labels a namespace for Pod Security Admission', () => {
  expect(
    podSecurityLabels({ enforce: 'restricted', version: 'v1.30', warn: 'restricted' }),
  ).toEqual({
    'pod-security.kubernetes.io/enforce': 'restricted',
    'pod-security.kubernetes.io/enforce-version': 'v1.30',
    'pod-security.kubernetes.io/warn': 'restricted',
    'pod-security.kubernetes.io/warn-version': 'v1.30',
  });
});

it('refuses rendered text that is not a list of objects, naming the document', () => {
  expect(() => parseManifests('kind: ConfigMap\n---\nkind: [\n')).toThrow(/^document 2: /);
  expect(() => parseManifests('kind: ConfigMap\n---\n- a\n')).toThrow(
    'document 2 is not a Kubernetes object',
  );
  expect(parseManifests('---\n# nothing\n---\n')).toEqual([]);
});
