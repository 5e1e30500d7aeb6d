import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkPodKinds,
  findPolicyFolders,
  loadPolicySources,
} from '../../../../src/policy/source/discover';
import { POD_KINDS } from '../../../../src/policy/source/kinds';

const POD_KIND_NAMES = POD_KINDS.map((k) => k.kind);

describe('loadPolicySources on the built-in policies', () => {
  const { policies, errors } = loadPolicySources('policies');

  it('finds every policy folder, with no problem', () => {
    expect(errors).toEqual([]);
    expect(policies.map((p) => p.id)).toEqual(findPolicyFolders('policies'));
    expect(policies.map((p) => p.id)).not.toContain('lib');
  });

  it('applies match.excludeKinds and drops it from the metadata', () => {
    const probes = policies.find((p) => p.id === 'require-probes')!;
    expect(probes.meta.match.kinds).toEqual(
      POD_KIND_NAMES.filter((k) => k !== 'Job' && k !== 'CronJob'),
    );
    expect(probes.excludedKinds).toEqual(['Job', 'CronJob']);
    expect(probes.meta.match).not.toHaveProperty('excludeKinds');
  });

  it('reads policy.yaml as YAML 1.1 with the quoted off kept a string', () => {
    expect(policies.find((p) => p.id === 'disallow-privileged')!.meta.action).toBe('off');
  });
});

const REGO = (id: string, body = '') =>
  `package policies.${id.replace(/-/g, '_')}\n\n${body}violation contains {"msg": "x"} if false\n`;

const meta = (id: string, match = 'kinds: [ConfigMap]', extra = '') => `id: ${id}
title: T
description: D
severity: low
action: deny
match:
  ${match.replace(/\n/g, '\n  ')}
  operations: [CREATE]
parameters:
  type: object
  properties: {}
docs: https://example.com/${id}
${extra}`;

describe('loadPolicySources on policy folders with problems', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'palisade-discover-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function policy(id: string, yaml: string, rego = REGO(id)) {
    mkdirSync(join(root, id), { recursive: true });
    writeFileSync(join(root, id, 'policy.yaml'), yaml);
    writeFileSync(join(root, id, 'policy.rego'), rego);
  }

  it('loads a valid folder, skipping lib, .hidden and _private ones', () => {
    policy('ok', meta('ok'));
    for (const d of ['lib', '.x', '_y']) mkdirSync(join(root, d));
    const { policies, errors } = loadPolicySources(root);
    expect(errors).toEqual([]);
    expect(policies).toEqual([
      expect.objectContaining({
        id: 'ok',
        package: 'policies.ok',
        dir: join(root, 'ok'),
        regoFiles: [join(root, 'ok', 'policy.rego')],
        excludedKinds: [],
      }),
    ]);
  });

  it('names every problem of every folder, each with its file', () => {
    policy('wrong-id', meta('other'));
    policy('bad-package', meta('bad-package'), REGO('elsewhere'));
    mkdirSync(join(root, 'Bad_Name'));
    mkdirSync(join(root, 'empty'));
    const y = (id: string) => join(root, id, 'policy.yaml');
    expect(loadPolicySources(root)).toEqual({
      policies: [],
      errors: [
        `${join(root, 'Bad_Name')}: folder name "Bad_Name" is not a valid policy id (lowercase letters, digits, single dashes)`,
        `${join(root, 'bad-package', 'policy.rego')}: package is policies.elsewhere, must be policies.bad_package (policy id "bad-package")`,
        `${join(root, 'bad-package')}: no "violation contains ... if { ... }" rule in package policies.bad_package`,
        `${join(root, 'empty')}: missing policy.rego`,
        `${join(root, 'empty')}: missing policy.yaml`,
        `${y('wrong-id')}: id is "other", must equal the folder name "wrong-id"`,
      ],
    });
  });

  it.each([
    [
      'an unquoted off (YAML 1.1 false)',
      meta('p').replace('action: deny', 'action: off'),
      "action must be one of deny, warn, audit, off (write 'off' in quotes: YAML 1.1 reads off as false)",
    ],
    [
      'a mistyped kind',
      meta('p', 'kinds: [Deploymnet]'),
      'match.kinds: unknown kind Deploymnet; did you mean Deployment?',
    ],
    [
      'a mistyped alias',
      meta('p', 'kinds: [$pod]'),
      'match.kinds: unknown kind $pod; did you mean $pods?',
    ],
    [
      'excludeKinds of a kind without a pod template',
      meta('p', 'kinds: [$pods]\nexcludeKinds: [Service]'),
      'match.excludeKinds must be a list of pod kinds (Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, ReplicationController, PodTemplate)',
    ],
    [
      'excludeKinds of a listed kind',
      meta('p', 'kinds: [Pod, Job]\nexcludeKinds: [Job]'),
      'match.excludeKinds leaves out Job, which match.kinds names',
    ],
    [
      'an unknown field',
      meta('p', undefined, 'owner: me\n'),
      'policy.yaml: unknown field owner (policies/policy.schema.json lists the fields)',
    ],
    [
      'a default outside its schema',
      meta('p').replace('properties: {}', 'properties:\n    count: {type: integer, default: x}'),
      'parameters: the defaults do not satisfy the schema: data/count must be integer',
    ],
  ])('refuses %s', (_name, yaml, message) => {
    policy('p', yaml);
    expect(loadPolicySources(root).errors).toEqual([
      `${join(root, 'p', 'policy.yaml')}: ${message}`,
    ]);
  });

  it.each([['Pool'], ['Rule'], ['Widget']])('accepts a custom kind %s', (kind) => {
    policy('p', meta('p', `kinds: [${kind}]`));
    expect(loadPolicySources(root).errors).toEqual([]);
  });

  it('refuses a built-in kind in the wrong case', () => {
    policy('p', meta('p', 'kinds: [configmap]'));
    expect(loadPolicySources(root).errors).toEqual([
      `${join(root, 'p', 'policy.yaml')}: match.kinds: unknown kind configmap; did you mean ConfigMap?`,
    ]);
  });

  it('reports invalid YAML with its line and column', () => {
    policy('p', 'id: p\nid: q\n');
    expect(loadPolicySources(root).errors).toEqual([
      `${join(root, 'p', 'policy.yaml')}:2:1: invalid YAML: Map keys must be unique`,
    ]);
  });

  it('refuses a root that is not a directory, and one with no policy', () => {
    expect(loadPolicySources(join(root, 'nope')).errors).toEqual([
      `${join(root, 'nope')}: not a directory`,
    ]);
    expect(loadPolicySources(root).errors).toEqual([`${root}: no policy folders found`]);
  });

  describe('a policy using the pod library', () => {
    const podRego = (id: string) => REGO(id, 'import data.lib.kubernetes.pods\n\n');

    it('expands $pods to every pod kind', () => {
      policy('p', meta('p', 'kinds: [$pods, Service]'), podRego('p'));
      const { policies, errors } = loadPolicySources(root);
      expect(errors).toEqual([]);
      expect(policies[0]!.meta.match.kinds).toEqual([...POD_KIND_NAMES, 'Service']);
    });

    it('fails when it leaves out a pod kind without excluding it', () => {
      policy('p', meta('p', 'kinds: [Pod, Deployment]'), podRego('p'));
      expect(loadPolicySources(root).errors).toEqual([
        `${join(root, 'p', 'policy.yaml')}: match.kinds leaves out ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, ReplicationController, PodTemplate, which the pod library (data.lib.kubernetes.pods) covers: write kinds: [$pods], and list in match.excludeKinds the pod kinds left out on purpose`,
      ]);
    });

    it.each([
      ['$pods with exclusions', 'kinds: [$pods]\nexcludeKinds: [Job, CronJob]'],
      [
        'an explicit list with exclusions',
        `kinds: [Pod, Deployment]\nexcludeKinds: [${POD_KIND_NAMES.slice(2).join(', ')}]`,
      ],
      ['every kind', "kinds: ['*']"],
    ])('accepts %s', (_name, match) => {
      policy('p', meta('p', match), podRego('p'));
      expect(loadPolicySources(root).errors).toEqual([]);
    });

    it('counts the Pod Security Standards library as the pod library', () => {
      policy('p', meta('p', 'kinds: [Pod]'), REGO('p', 'import data.lib.kubernetes.pss\n\n'));
      expect(loadPolicySources(root).errors).toEqual([
        expect.stringContaining('match.kinds leaves out Deployment, '),
      ]);
    });

    it('checkPodKinds reads nothing for a policy without the library', () => {
      policy('p', meta('p', 'kinds: [Pod]'));
      const [source] = loadPolicySources(root).policies;
      expect(checkPodKinds(source!)).toEqual([]);
    });
  });
});
