// ConstraintTemplate parsing: what Gatekeeper accepts (v1 / v1beta1, rego + libs, code of engine
// Rego with source.version), what Palisade refuses and how it says so (code, template, field).
import { GatekeeperObjectError } from '../../../src/gatekeeper/gatekeeper-error';
import { parseTemplate } from '../../../src/gatekeeper/template';

const REGO = 'package k8sx\nviolation[{"msg": "no"}] { true }\n';

function template(spec: Record<string, unknown>, o: Record<string, unknown> = {}): unknown {
  return {
    apiVersion: 'templates.gatekeeper.sh/v1',
    kind: 'ConstraintTemplate',
    metadata: { name: 'k8sx', generation: 3 },
    spec: { crd: { spec: { names: { kind: 'K8sX' } } }, ...spec },
    ...o,
  };
}

const target = (t: Record<string, unknown>) => ({
  targets: [{ target: 'admission.k8s.gatekeeper.sh', ...t }],
});

it('reads rego and libs as v0 Rego, with their fields', () => {
  const t = parseTemplate(template(target({ rego: REGO, libs: ['package lib.a\n'] })), 'f.yaml:1');
  expect(t).toMatchObject({ name: 'k8sx', kind: 'K8sX', generation: 3, source: 'f.yaml:1' });
  expect(t.rego).toEqual({ text: REGO, regoVersion: 0, field: 'spec.targets[0].rego' });
  expect(t.libs).toEqual([
    { text: 'package lib.a\n', regoVersion: 0, field: 'spec.targets[0].libs[0]' },
  ]);
});

it.each([
  [undefined, 0],
  ['v0', 0],
  ['v1', 1],
])('reads code of engine Rego with source.version %s as Rego v%s', (version, expected) => {
  const code = [
    { engine: 'K8sNativeValidation', source: { validations: [] } },
    {
      engine: 'Rego',
      source: { rego: REGO, libs: ['package lib.b\n'], ...(version ? { version } : {}) },
    },
  ];
  const t = parseTemplate(template(target({ code })), 'f');
  expect(t.rego).toEqual({
    text: REGO,
    regoVersion: expected,
    field: 'spec.targets[0].code[1].source.rego',
  });
  expect(t.libs[0]!.field).toBe('spec.targets[0].code[1].source.libs[0]');
});

it('accepts v1beta1 and keeps the parameters schema', () => {
  const schema = { type: 'object', properties: { labels: { type: 'array' } } };
  const doc = template(
    {
      crd: { spec: { names: { kind: 'K8sX' }, validation: { openAPIV3Schema: schema } } },
      ...target({ rego: REGO }),
    },
    { apiVersion: 'templates.gatekeeper.sh/v1beta1' },
  );
  expect(parseTemplate(doc, 'f').parametersSchema).toEqual(schema);
});

it.each<[string, unknown, string]>([
  [
    'an unknown version',
    template(target({ rego: REGO }), { apiVersion: 'templates.gatekeeper.sh/v2' }),
    'apiVersion must be',
  ],
  [
    'no kind',
    template({ crd: { spec: { names: {} } }, ...target({ rego: REGO }) }),
    'spec.crd.spec.names.kind must be a kind name',
  ],
  [
    'a name that is not the lowercase kind',
    template(target({ rego: REGO }), { metadata: { name: 'other' } }),
    'metadata.name must be the lowercase of spec.crd.spec.names.kind (k8sx)',
  ],
  ['two targets', template({ targets: [{}, {}] }), 'spec.targets must hold exactly one target'],
  [
    'another target',
    template({ targets: [{ target: 'audit.example.com', rego: REGO }] }),
    'spec.targets[0].target must be admission.k8s.gatekeeper.sh',
  ],
  [
    'libs that are not texts',
    template(target({ rego: REGO, libs: [1] })),
    'spec.targets[0].libs must be a list of Rego texts',
  ],
  [
    'no Rego at all',
    template(target({})),
    'spec.targets[0] has no rego and no code entry of engine Rego',
  ],
  [
    'a bad source.version',
    template(target({ code: [{ engine: 'Rego', source: { rego: REGO, version: 'v2' } }] })),
    'spec.targets[0].code[0].source.version must be v0 or v1',
  ],
])('refuses %s, naming the field', (_name, doc, problem) => {
  const err = catchError(() => parseTemplate(doc, 'f.yaml:4'));
  expect(err).toBeInstanceOf(GatekeeperObjectError);
  expect(err.code).toBe('PAL_ERR_GATEKEEPER_TEMPLATE');
  expect(err.reason).toBe('invalid');
  expect(err.problem).toContain(problem);
  expect(err.message).toContain('(f.yaml:4)');
});

it('refuses a CEL-only template as unsupported, by name', () => {
  const code = [
    { engine: 'K8sNativeValidation', source: { validations: [{ expression: 'true' }] } },
  ];
  const err = catchError(() => parseTemplate(template(target({ code })), 'f'));
  expect(err.reason).toBe('cel-only');
  expect(err.object).toBe('k8sx');
  expect(err.problem).toBe(
    'only CEL code (engine K8sNativeValidation) and no Rego: Palisade runs Rego templates only',
  );
});

function catchError(f: () => unknown): GatekeeperObjectError {
  try {
    f();
  } catch (e) {
    return e as GatekeeperObjectError;
  }
  throw new Error('no error thrown');
}
