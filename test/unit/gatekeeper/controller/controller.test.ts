// The controller's passes with the API and the compile replaced by recorders: which versions
// it compiles, what it swaps in, which CRDs it makes and deletes, what status it writes. The
// same flow against the real apiserver and opa is test/e2e/gatekeeper.test.ts; here the cases
// that need exact control of the compile's outcome (a new version that fails).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { parse } from 'yaml';
import type { CompileResult } from '../../../../src/gatekeeper/controller/compile-bundle';
import { GatekeeperController } from '../../../../src/gatekeeper/controller/controller';
import type { Template } from '../../../../src/gatekeeper/template';
import type { CustomObject, ResourceRef } from '../../../../src/kube/custom-resources';
import type { Bundle } from '../../../../src/policy/bundle';
import type { EffectivePolicy } from '../../../../src/policy/policy-set';

const FIXTURE = join(__dirname, '../../../e2e/gatekeeper/k8srequiredlabels-template.yaml');
const template = (generation: number, rego?: string): CustomObject => {
  const t = parse(readFileSync(FIXTURE, 'utf8'));
  t.metadata.generation = generation;
  if (rego) t.spec.targets[0].rego = rego;
  return t;
};
const BROKEN = 'package k8srequiredlabels\n\nviolation[{"msg": msg}] {\n  msg := BROKEN(1)\n}\n';

function harness() {
  const watchers = new Map<string, (items: readonly CustomObject[]) => void>();
  const objects = new Map<string, CustomObject>();
  const compiles: string[][] = [];
  const activated: string[][] = [];
  const deleted: string[] = [];
  const ensured: string[] = [];
  let constraints: readonly EffectivePolicy[] = [];
  const key = (ref: ResourceRef, name: string) => `${ref.plural}/${name}`;
  const controller = new GatekeeperController({
    podId: 'pod-a',
    logger: pino({ level: 'silent' }),
    runtime: {
      activate: async (b: Bundle) => void activated.push([...b.templates.keys()]),
      setConstraints: async (p) => ((constraints = p), true),
      get constraints() {
        return constraints;
      },
    },
    crds: {
      ensure: async (crd) => (ensured.push(crd.metadata.name), 'created'),
      established: async () => undefined,
      delete: async (name) => void deleted.push(name),
    },
    objects: {
      get: async (ref, name) => structuredClone(objects.get(key(ref, name))),
      replaceStatus: async (ref, obj) => (objects.set(key(ref, obj.metadata!.name!), obj), obj),
      watch: async (ref, onChange) => {
        watchers.set(ref.plural, onChange);
        onChange(
          [...objects.values()].filter(
            (o) =>
              o.kind ===
              (ref.plural === 'constrainttemplates' ? 'ConstraintTemplate' : 'K8sRequiredLabels'),
          ),
        );
        return { stop: async () => undefined };
      },
    },
    compile: async (templates: readonly Template[]): Promise<CompileResult> => {
      compiles.push(templates.map((t) => `${t.name}:${t.generation}`));
      const good = templates.filter((t) => !t.rego.text.includes('BROKEN'));
      const bad = templates.filter((t) => t.rego.text.includes('BROKEN'));
      return {
        bundle: {
          templates: new Map(good.map((t) => [t.name, { name: t.name }])),
        } as unknown as Bundle,
        compiled: new Set(good.map((t) => t.name)),
        errors: new Map(
          bad.map((t) => [
            t.name,
            [
              {
                template: t.name,
                code: 'rego_compile_error',
                message: 'undefined function BROKEN',
                location: 'spec.targets[0].rego:4',
              },
            ],
          ]),
        ),
      };
    },
  });
  const setTemplates = async (...items: CustomObject[]) => {
    for (const o of items)
      objects.set(key({ plural: 'constrainttemplates' } as ResourceRef, o.metadata!.name!), o);
    watchers.get('constrainttemplates')!(items);
    await controller.idle();
  };
  const status = () => objects.get('constrainttemplates/k8srequiredlabels')?.status;
  const applied = () => constraints.map((p) => p.id);
  return {
    controller,
    setTemplates,
    compiles,
    activated,
    deleted,
    ensured,
    status,
    objects,
    applied,
  };
}

it('compiles a template, makes its CRD, reports it created; an unchanged pass compiles nothing', async () => {
  const h = harness();
  h.objects.set('constrainttemplates/k8srequiredlabels', template(1));
  await h.controller.start();
  expect(h.compiles).toEqual([['k8srequiredlabels:1']]);
  expect(h.activated).toEqual([['k8srequiredlabels']]);
  expect(h.ensured).toEqual(['k8srequiredlabels.constraints.gatekeeper.sh']);
  expect(h.status()).toEqual({ created: true, byPod: [{ id: 'pod-a', observedGeneration: 1 }] });
  await h.setTemplates({ ...template(1), status: h.status() });
  expect(h.compiles).toHaveLength(1);
  expect(h.ensured).toHaveLength(1);
});

it('keeps the last good version serving when a new version fails, reporting the error at the new generation', async () => {
  const h = harness();
  h.objects.set('constrainttemplates/k8srequiredlabels', template(1));
  await h.controller.start();
  await h.setTemplates(template(2, BROKEN));
  expect(h.compiles).toEqual([
    ['k8srequiredlabels:1'],
    ['k8srequiredlabels:2'],
    ['k8srequiredlabels:1'],
  ]);
  expect(h.activated).toEqual([['k8srequiredlabels'], ['k8srequiredlabels']]);
  expect(h.status()).toEqual({
    created: true,
    byPod: [
      {
        id: 'pod-a',
        observedGeneration: 2,
        errors: [
          {
            code: 'rego_compile_error',
            message: 'undefined function BROKEN',
            location: 'spec.targets[0].rego:4',
          },
        ],
      },
    ],
  });
  // The same failing version again: no compile.
  await h.setTemplates({ ...template(2, BROKEN), status: h.status() });
  expect(h.compiles).toHaveLength(3);
  // Back to the serving version's code: nothing to compile, and the error is gone.
  await h.setTemplates(template(3));
  expect(h.compiles).toHaveLength(3);
  expect(h.status()).toEqual({ created: true, byPod: [{ id: 'pod-a', observedGeneration: 3 }] });
});

it('a template that never compiled gets no CRD; a deleted one loses its CRD', async () => {
  const h = harness();
  h.objects.set('constrainttemplates/k8srequiredlabels', template(1, BROKEN));
  await h.controller.start();
  expect(h.ensured).toEqual([]);
  expect(h.status()).toMatchObject({ created: false });
  await h.setTemplates(template(2));
  expect(h.ensured).toEqual(['k8srequiredlabels.constraints.gatekeeper.sh']);
  await h.setTemplates();
  expect(h.deleted).toEqual(['k8srequiredlabels.constraints.gatekeeper.sh']);
  expect(h.activated.at(-1)).toEqual([]);
});

it('enforces the constraints that check out and reports the others in their status', async () => {
  const h = harness();
  const constraint = (name: string, labels: unknown): CustomObject => ({
    apiVersion: 'constraints.gatekeeper.sh/v1beta1',
    kind: 'K8sRequiredLabels',
    metadata: { name, generation: 1 },
    spec: { match: { kinds: [{ apiGroups: [''], kinds: ['Pod'] }] }, parameters: { labels } },
  });
  h.objects.set('constrainttemplates/k8srequiredlabels', template(1));
  h.objects.set('k8srequiredlabels/good', constraint('good', ['team']));
  h.objects.set('k8srequiredlabels/bad', constraint('bad', 'team'));
  await h.controller.start();
  expect(h.applied()).toEqual(['K8sRequiredLabels/good']);
  expect(h.objects.get('k8srequiredlabels/good')!.status).toEqual({
    byPod: [{ id: 'pod-a', observedGeneration: 1, enforced: true }],
  });
  const bad = h.objects.get('k8srequiredlabels/bad')!.status as {
    byPod: Array<Record<string, unknown>>;
  };
  expect(bad.byPod).toEqual([
    {
      id: 'pod-a',
      observedGeneration: 1,
      enforced: false,
      errors: [{ code: 'invalid_constraint', message: expect.stringContaining('parameters') }],
    },
  ]);
});
