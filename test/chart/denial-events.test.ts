// events.denials in the chart: the config key Palisade reads, and a ClusterRole for creating and
// patching Events only when it is on (the e2e test uses exactly this RBAC).
import { parse } from 'yaml';
import { validateConfig } from '../../src/config/load';
import { find, render } from './render';

const NAME = 'palisade-denial-events';
const configOf = (objects: ReturnType<typeof render>) =>
  validateConfig('config.yaml', parse(find(objects, 'ConfigMap', 'palisade').data['config.yaml']));

it('off by default: no Events, no RBAC for them', () => {
  const objects = render();
  expect(configOf(objects).events).toEqual({ denials: false });
  expect(objects.filter((o) => o.metadata.name === NAME)).toEqual([]);
});

it('on: the config says so and the ServiceAccount may create and patch events, nothing more', () => {
  const objects = render({ set: { 'events.denials': true } });
  expect(configOf(objects).events).toEqual({ denials: true });
  expect(find(objects, 'ClusterRole', NAME).rules).toEqual([
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  ]);
  const binding = find(objects, 'ClusterRoleBinding', NAME);
  expect(binding.roleRef).toEqual({
    apiGroup: 'rbac.authorization.k8s.io',
    kind: 'ClusterRole',
    name: NAME,
  });
  expect(binding.subjects).toEqual([
    { kind: 'ServiceAccount', name: 'palisade', namespace: 'palisade-system' },
  ]);
});

it('rbac.create false leaves the RBAC to the user', () => {
  const secret = { 'tls.mode': 'secret', 'tls.secret.name': 'tls', 'tls.secret.caBundle': 'x' };
  const objects = render({
    set: { ...secret, 'events.denials': true, 'rbac.create': false, 'audit.enabled': false },
  });
  expect(configOf(objects).events).toEqual({ denials: true });
  expect(objects.filter((o) => o.metadata.name === NAME)).toEqual([]);
});
