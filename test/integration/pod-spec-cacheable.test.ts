// What src/policy/build/pod-spec-cacheable.ts derives from a policy's Rego (palisade.json
// `podSpecCache`): cacheable, with the request and template fields it reads, when it reads only
// the pod template (through the kinds table), request fields and constant paths into the object or
// userInfo outside it (all in the key), and its parameters; else the reason. Run with the real opa on the built-in library and on small
// policies written here over a copy of the pod library.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Opa } from '../../src/policy/build/opa';
import { podSpecCacheability } from '../../src/policy/build/pod-spec-cacheable';
import { regoSources } from '../../src/policy/build/rego-files';
import { findPolicyFolders } from '../../src/policy/source/discover';

const ROOT = join(__dirname, '..', '..');
const opa = new Opa(join(ROOT, '.tools', 'bin', 'opa'));
const POLICIES = join(ROOT, 'policies');
const LIB = join(POLICIES, 'lib', 'kubernetes');

const pkgOf = (id: string) => `policies.${id.replace(/-/g, '_')}`;
const SPEC = ['spec'];

describe('the built-in library', () => {
  const files = regoSources(POLICIES);
  const record = (id: string) => podSpecCacheability(opa, files, pkgOf(id));

  it.each([
    ['disallow-latest-tag', { request: ['kind.kind', 'operation'], template: SPEC }],
    [
      'pss-baseline-capabilities',
      { request: ['kind.kind', 'operation', 'subResource'], template: SPEC },
    ],
    [
      'pss-baseline-apparmor',
      { request: ['kind.kind', 'operation', 'subResource'], template: ['metadata', 'spec'] },
    ],
    ['require-labels', { reason: 'reads input.review.object outside the pod template' }],
    [
      'disallow-default-namespace',
      {
        request: [
          'kind.kind',
          'name',
          'namespace',
          'object.metadata.generateName',
          'object.metadata.name',
          'object.metadata.namespace',
        ],
        template: [],
      },
    ],
    [
      // Its ServiceAccount check (kind == "ServiceAccount": the object's name and
      // automountServiceAccountToken) holds for no pod kind: not read.
      'restrict-sa-token-automount',
      {
        request: [
          'kind.kind',
          'namespace',
          'object.metadata.namespace',
          'operation',
          'userInfo.username',
        ],
        template: SPEC,
      },
    ],
    [
      'restrict-service-types',
      { request: ['object.metadata.name', 'object.spec.type'], template: [] },
    ],
    ['disallow-rbac-wildcards', { reason: 'reads input.review.object outside the pod template' }],
  ])('%s', async (id, want) => {
    expect(await record(id)).toEqual(want);
  });

  it('finds 32 of the 36 policies cacheable', async () => {
    const ids = findPolicyFolders(POLICIES);
    const records = await Promise.all(ids.map(record));
    expect([records.filter((r) => 'request' in r).length, ids.length]).toEqual([32, 36]);
  });
});

describe('a policy written here', () => {
  let work: string;
  let n = 0;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'palisade-cacheable-'));
    mkdirSync(join(work, 'lib'));
    for (const f of ['kinds.rego', 'pods.rego']) copyFileSync(join(LIB, f), join(work, 'lib', f));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  function record(body: string, lib = ''): Promise<unknown> {
    const pkg = `policies.p${++n}`;
    const file = join(work, `p${n}.rego`);
    writeFileSync(file, `package ${pkg}\n\nimport data.lib.kubernetes.pods\n\n${body}\n`);
    const files = [join(work, 'lib', 'kinds.rego'), join(work, 'lib', 'pods.rego'), file];
    if (lib) {
      writeFileSync(join(work, `lib${n}.rego`), lib);
      files.push(join(work, `lib${n}.rego`));
    }
    return podSpecCacheability(opa, files, pkg);
  }

  it.each([
    [
      'containers and a parameter',
      'violation contains c.path if {\n\tsome c in pods.containers\n\tc.container.image == input.parameters.image\n}',
      { request: ['kind.kind', 'operation'], template: SPEC },
    ],
    [
      'the template metadata',
      'violation contains m.path if {\n\tsome m in pods.pod_metadata\n\tm.metadata.annotations.x == "y"\n}',
      { request: ['kind.kind', 'operation'], template: ['metadata'] },
    ],
    [
      'parameters and the kind only',
      'violation contains "x" if {\n\tinput.review.kind.kind == "Pod"\n\tinput.parameters.on\n}',
      { request: ['kind.kind'], template: [] },
    ],
    [
      'the namespace',
      'violation contains "x" if {\n\tsome c in pods.containers\n\tinput.review.namespace == "default"\n}',
      { request: ['kind.kind', 'namespace', 'operation'], template: SPEC },
    ],
    [
      'the user’s name',
      'violation contains "x" if input.review.userInfo.username == "x"',
      { request: ['userInfo.username'], template: [] },
    ],
    [
      'the user whole',
      'violation contains "x" if {\n\tu := input.review.userInfo\n\tu.username == "x"\n}',
      { reason: 'reads input.review.userInfo' },
    ],
    [
      'a constant path into the object outside the template',
      'violation contains "x" if input.review.object.metadata.name == "x"',
      { request: ['object.metadata.name'], template: [] },
    ],
    [
      'the labels below a variable key',
      'violation contains k if {\n\tsome k, v in input.review.object.metadata.labels\n\tv == ""\n}',
      { request: ['object.metadata.labels'], template: [] },
    ],
    [
      'the object below a variable key',
      'violation contains k if {\n\tsome k, v in input.review.object\n\tv == ""\n}',
      { reason: 'reads input.review.object outside the pod template' },
    ],
    [
      'a check of a kind without a pod template',
      'violation contains "x" if {\n\tinput.review.kind.kind == "Service"\n\tinput.review.object.spec.type == "x"\n}\n\nviolation contains "y" if {\n\tsome c in pods.containers\n\tc.container.image == "y"\n}',
      { request: ['kind.kind', 'operation'], template: SPEC },
    ],
    [
      'a check of a pod kind',
      'violation contains "x" if {\n\tinput.review.kind.kind == "Pod"\n\tinput.review.object.metadata.name == "x"\n}',
      { request: ['kind.kind', 'object.metadata.name'], template: [] },
    ],
    [
      'input as a whole',
      'violation contains "x" if {\n\tx := input\n\tx.review.object.metadata.name == "a"\n}',
      { reason: 'reads input as a whole' },
    ],
    [
      'a variable key below input.review',
      'violation contains k if some k, _ in input.review',
      { reason: 'reads input.review as a whole' },
    ],
    [
      'data.inventory',
      'violation contains "x" if data.inventory.namespace.x',
      { reason: 'reads data.inventory' },
    ],
    [
      'with',
      'violation contains v if {\n\tsome v in pods.containers with input.review.kind.kind as "Pod"\n}',
      { reason: 'uses with' },
    ],
    [
      'an impure builtin',
      'violation contains "x" if {\n\tsome c in pods.containers\n\ttime.now_ns() > 0\n}',
      { reason: 'calls time.now_ns' },
    ],
  ])('%s', async (_name, body, want) => {
    expect(await record(body)).toEqual(want);
  });

  it('a template located at a path other than the kind’s is not cacheable', async () => {
    const lib = `package lib.other\n\nimport data.lib.kubernetes.kinds\n\nt := object.get(input.review.object, kinds.pod_template_paths.Pod, null)\n`;
    const body = 'violation contains "x" if data.lib.other.t.spec.hostPID';
    expect(await record(body, lib)).toEqual({
      reason: 'reads input.review.object outside the pod template',
    });
  });

  it('a template holder that reads its template in its own body reads all of it', async () => {
    const lib = `package lib.other\n\nimport data.lib.kubernetes.kinds\n\nt := x if {\n\tx := object.get(input.review.object, kinds.pod_template_paths[input.review.kind.kind], null)\n\tx.metadata.name != ""\n}\n`;
    const body = 'violation contains "x" if data.lib.other.t.spec.hostPID';
    expect(await record(body, lib)).toEqual({ request: ['kind.kind'], template: '*' });
  });
});
