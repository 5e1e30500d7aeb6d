import { readFileSync } from 'node:fs';
import {
  BUILTIN_KINDS,
  builtinKind,
  customKindsOf,
  expandKinds,
  guessPlural,
  POD_KINDS,
  renderKindsRego,
  resolveKind,
  splitApiVersion,
} from '../../../../src/policy/source/kinds';

const POD_KIND_NAMES = [
  'Pod',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'ReplicationController',
  'PodTemplate',
];

describe('the kinds table', () => {
  it('lists the pod kinds in the order $pods expands to, each with its template path', () => {
    expect(POD_KINDS.map((k) => k.kind)).toEqual(POD_KIND_NAMES);
    expect(builtinKind('Pod')?.podTemplate).toEqual([]);
    expect(builtinKind('CronJob')?.podTemplate).toEqual([
      'spec',
      'jobTemplate',
      'spec',
      'template',
    ]);
    expect(builtinKind('PodTemplate')?.podTemplate).toEqual(['template']);
    expect(builtinKind('Service')?.podTemplate).toBeUndefined();
  });

  it('names the ephemeralcontainers subresource among the webhook resources of a Pod', () => {
    expect(builtinKind('Pod')?.webhookResources).toEqual(['pods', 'pods/ephemeralcontainers']);
    expect(builtinKind('Deployment')?.webhookResources).toEqual(['deployments']);
  });

  it('gives a built-in kind by name at its preferred version, the core group first', () => {
    expect(builtinKind('HorizontalPodAutoscaler')).toMatchObject({
      group: 'autoscaling',
      version: 'v2',
      versions: ['v1', 'v2'],
    });
    expect(builtinKind('Event')?.group).toBe('');
    expect(builtinKind('Nope')).toBeUndefined();
  });

  it('expands $pods in place, without the excluded kinds or duplicates', () => {
    expect(expandKinds(['$pods'])).toEqual(POD_KIND_NAMES);
    expect(expandKinds(['Service', '$pods', 'Pod'], ['Job', 'CronJob'])).toEqual([
      'Service',
      ...POD_KIND_NAMES.filter((k) => k !== 'Job' && k !== 'CronJob'),
    ]);
    expect(expandKinds(['*'])).toEqual(['*']);
  });

  it('policies/policy.schema.json offers the kinds of the table, for editor completion', () => {
    const { match } = JSON.parse(readFileSync('policies/policy.schema.json', 'utf8')).properties;
    expect(match.properties.excludeKinds.items.enum).toEqual(POD_KIND_NAMES);
    expect(match.properties.kinds.items.anyOf[0].enum).toEqual([
      '$pods',
      '*',
      ...new Set(BUILTIN_KINDS.map((k) => k.kind)),
    ]);
  });

  it('policies/lib/kubernetes/kinds.rego is the table rendered (palisade generate)', () => {
    expect(readFileSync('policies/lib/kubernetes/kinds.rego', 'utf8')).toBe(renderKindsRego());
  });
});

describe('resolveKind', () => {
  const none = new Map();

  it.each([
    ['v1', 'Pod', { group: '', version: 'v1', resource: 'pods', namespaced: true }],
    ['apps/v1', 'Deployment', { group: 'apps', resource: 'deployments', namespaced: true }],
    ['autoscaling/v1', 'HorizontalPodAutoscaler', { version: 'v1' }],
    ['v1', 'Namespace', { resource: 'namespaces', namespaced: false }],
  ])('%s %s', (apiVersion, kind, want) => {
    expect(resolveKind(apiVersion, kind, none)).toMatchObject(want);
  });

  it.each([
    ['v1', 'Pdo', 'unknown kind Pdo in v1; did you mean Pod?'],
    [
      'apps/v1beta1',
      'Deployment',
      'apps/v1beta1 Deployment is not served by Kubernetes; use apps/v1',
    ],
    [
      'extensions/v1beta1',
      'Ingress',
      'extensions/v1beta1 Ingress: the extensions API group is no longer served by Kubernetes (apps/v1, networking.k8s.io/v1 replace it)',
    ],
    ['nope.k8s.io/v1', 'X', 'unknown API group nope.k8s.io (apiVersion nope.k8s.io/v1, kind X)'],
  ])('refuses %s %s', (apiVersion, kind, message) => {
    expect(() => resolveKind(apiVersion, kind, none)).toThrow(message);
  });

  it('takes a custom kind from its CRD, else guesses its plural and scope', () => {
    const custom = customKindsOf([
      {
        kind: 'CustomResourceDefinition',
        spec: {
          group: 'example.com',
          scope: 'Cluster',
          names: { kind: 'Widget', plural: 'widgetz' },
        },
      },
    ]);
    expect(resolveKind('example.com/v1', 'Widget', custom)).toMatchObject({
      resource: 'widgetz',
      namespaced: false,
      versions: ['v1'],
      webhookResources: ['widgetz'],
    });
    expect(resolveKind('example.com/v1', 'Policy', none)).toMatchObject({
      resource: 'policies',
      namespaced: true,
    });
    expect(resolveKind('example.com/v1', 'ClusterThing', none).namespaced).toBe(false);
  });

  it('splits apiVersion and pluralizes like English', () => {
    expect(splitApiVersion('v1')).toEqual({ group: '', version: 'v1' });
    expect(splitApiVersion('apps/v1')).toEqual({ group: 'apps', version: 'v1' });
    expect(['Ingress', 'Box', 'Policy', 'Key'].map(guessPlural)).toEqual([
      'ingresses',
      'boxes',
      'policies',
      'keys',
    ]);
  });
});
