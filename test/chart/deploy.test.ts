// deploy/palisade.yaml: the chart's default render for `kubectl apply` users, kept in step with
// the chart by `palisade generate` (this test fails when it is stale).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kinds, parseManifests, render, ROOT } from './render';

const deployed = parseManifests(readFileSync(join(ROOT, 'deploy', 'palisade.yaml'), 'utf8'));

it('is up to date with the chart (palisade generate --check)', () => {
  expect(() =>
    execFileSync('node', ['bin/palisade.js', 'generate', '--check', '--only', 'deploy'], {
      cwd: ROOT,
      stdio: 'pipe',
    }),
  ).not.toThrow();
});

it('holds the palisade-system Namespace, then the chart default objects without the helm test pod', () => {
  expect(deployed[0]).toEqual({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'palisade-system' },
  });
  const chart = render().filter((o) => !o.metadata.annotations?.['helm.sh/hook']);
  expect(deployed.slice(1)).toEqual(chart);
  expect(kinds(deployed)).not.toContain('Pod');
});

it('puts every namespaced object in palisade-system', () => {
  const clusterScoped = [
    'Namespace',
    'ClusterRole',
    'ClusterRoleBinding',
    'ValidatingWebhookConfiguration',
    'CustomResourceDefinition',
    'ValidatingAdmissionPolicy',
    'ValidatingAdmissionPolicyBinding',
  ];
  for (const o of deployed.filter((o) => !clusterScoped.includes(o.kind))) {
    expect(`${o.kind}/${o.metadata.name} in ${o.metadata.namespace}`).toBe(
      `${o.kind}/${o.metadata.name} in palisade-system`,
    );
  }
});
