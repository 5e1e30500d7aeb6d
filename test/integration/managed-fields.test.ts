// metadata.managedFields (the apiserver's server-side apply bookkeeping) stays out of the wasm
// unless an applicable policy may read it: src/policy/build/managed-fields.ts derives, with the
// real opa, palisade.json `readsManagedFields`; src/policy/input-fields.ts leaves the field out.
// A policy that names it gets it; an old bundle (no record) keeps it; every example of the
// built-in library, given a realistic managedFields, decides exactly as with it.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handleAdmission, type Decision } from '../../src/admission/handler';
import type { AdmissionReviewRequest, KubeObject } from '../../src/admission/types';
import { validateConfig } from '../../src/config/load';
import { buildBundle } from '../../src/policy/build/build-bundle';
import { managedFieldsRead } from '../../src/policy/build/managed-fields';
import { Opa, pinnedOpaPath } from '../../src/policy/build/opa';
import { loadBundle, type Bundle } from '../../src/policy/bundle';
import { InlineEvaluator, type Evaluator } from '../../src/policy/engine';
import { resolvePolicies } from '../../src/policy/policy-set';
import { findPolicyFolders } from '../../src/policy/source/discover';
import { exampleRequest, policyExamples } from '../../src/policy/source/examples';
import { deployment, pod, review } from '../fixtures/reviews';

const ROOT = join(__dirname, '..', '..');
const POLICIES = join(ROOT, 'policies');
const opa = new Opa(pinnedOpaPath());
const DENY = { action: 'deny' };

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'palisade-managed-fields-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('what the build derives', () => {
  const LIB = `package lib.demo

meta := input.review.object.metadata

metas[kind] := {"m": m, "kind": kind} if {
	some m in [input.review.object.metadata]
	kind := input.review.kind.kind
}

keys contains k if some k, _ in input.review.object.metadata
`;
  let n = 0;
  function derive(body: string): Promise<{ reads: boolean; reason?: string }> {
    const pkg = `policies.p${++n}`;
    const file = join(work, `p${n}.rego`);
    writeFileSync(join(work, 'lib.rego'), LIB);
    writeFileSync(file, `package ${pkg}\n\nimport data.lib.demo\n\n${body}\n`);
    return managedFieldsRead(opa, [join(work, 'lib.rego'), file], pkg);
  }

  it.each([
    [
      'a named field of metadata',
      'violation contains "x" if input.review.object.metadata.name == ""',
    ],
    [
      'a variable key below a named field',
      'violation contains k if { some k, v in input.review.object.metadata.labels; v == "" }',
    ],
    [
      'an alias of the object',
      '_o := input.review.object\n\nviolation contains "x" if _o.metadata.name',
    ],
    ['a library alias of metadata', 'violation contains "x" if demo.meta.labels.app == "a"'],
    [
      'object.get with a constant path',
      'violation contains "x" if object.get(input.review.object, ["metadata", "annotations"], {}) == {}',
    ],
    [
      'a type check of metadata',
      'violation contains "x" if not is_object(input.review.object.metadata)',
    ],
    [
      'metadata inside a library rule, read by a named field',
      'violation contains "x" if { some e in demo.metas; e.m.name == "" }',
    ],
  ])('not read: %s', async (_, body) => {
    expect(await derive(body)).toEqual({ reads: false });
  });

  it.each([
    [
      'a reference that names it',
      'violation contains "x" if count(input.review.object.metadata.managedFields) > 0',
      'names managedFields',
    ],
    [
      'a constant string that names it',
      'violation contains "x" if { f := "managedFields"; input.review.object.metadata[f] }',
      'names managedFields',
    ],
    [
      "iteration over metadata's keys",
      'violation contains k if some k, _ in input.review.object.metadata',
      'variable key of the ObjectMeta',
    ],
    [
      "a library rule iterating metadata's keys",
      'violation contains k if some k in demo.keys',
      'variable key',
    ],
    [
      'a variable key from the parameters',
      'violation contains "x" if input.review.object.metadata[input.parameters.field]',
      'variable key',
    ],
    [
      'metadata compared whole',
      'violation contains "x" if input.review.object.metadata != input.review.oldObject.metadata',
      'neq',
    ],
    [
      'the object serialized',
      'violation contains json.marshal(input.review.object) if true',
      'json.marshal',
    ],
    [
      'metadata in the output',
      'violation contains {"msg": "x", "details": demo.meta} if true',
      'holds in a set',
    ],
    [
      'a library element holding metadata compared',
      'violation contains "x" if { some e in demo.metas; e.m == {} }',
      'equal',
    ],
    ['a walk over input', 'violation contains "x" if walk(input, [_, "a"])', 'walk'],
    ['with', 'violation contains "x" if { demo.meta.name with input.review as {} }', '`with`'],
  ])('read: %s', async (_, body, why) => {
    const got = await derive(body);
    expect(got.reads).toBe(true);
    expect(got.reason).toContain(why);
  });
});

// As the apiserver records `kubectl apply --server-side` of the object, then a controller's update.
function managedFields(obj: KubeObject): unknown[] {
  return [
    {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: String(obj.apiVersion),
      time: '2026-12-02T07:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:template': { 'f:spec': { 'k:{"name":"app"}': { '.': {}, 'f:image': {} } } },
        },
      },
    },
    {
      manager: 'kube-controller-manager',
      operation: 'Update',
      apiVersion: String(obj.apiVersion),
      time: '2026-12-02T07:00:01Z',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:annotations': { 'f:deployment.kubernetes.io/revision': {} } },
      },
      subresource: 'status',
    },
  ];
}
function withManagedFields<T extends KubeObject | null | undefined>(obj: T): T {
  if (!obj || typeof obj.metadata !== 'object' || obj.metadata === null) return obj;
  return { ...obj, metadata: { ...obj.metadata, managedFields: managedFields(obj) } };
}

const KUBECTL_MANAGED = `package policies.kubectl_managed

violation contains {"msg": $"managed by {e.manager}", "path": "metadata.managedFields"} if {
	some e in input.review.object.metadata.managedFields
	e.manager == "kubectl"
}
`;

// Iterates metadata's keys without naming managedFields: it sees them too.
const METADATA_KEYS = `package policies.metadata_keys

violation contains {"msg": $"metadata.{k} is not allowed", "path": "metadata"} if {
	some k, _ in input.review.object.metadata
	not k in {"name", "namespace", "labels", "annotations"}
}
`;
const policyYaml = (id: string, what: string) => `id: ${id}
title: ${id}
description: Test policy that ${what}.
severity: low
action: deny
match:
  kinds: [Deployment, Pod]
  operations: [CREATE]
parameters:
  type: object
  properties: {}
docs: https://example.com/${id}
`;

describe('the built-in library and a policy that names managedFields, built', () => {
  let out: string;
  let bundle: Bundle;
  let inner: InlineEvaluator;
  const seen: { object?: KubeObject | null; oldObject?: KubeObject | null }[] = [];
  const evaluator: Evaluator = {
    evaluate: (input, signal) => {
      seen.push(JSON.parse(new TextDecoder().decode(input)).review);
      return inner.evaluate(input, signal);
    },
    close: async () => {},
  };
  beforeAll(async () => {
    cpSync(POLICIES, join(work, 'policies'), { recursive: true });
    const dir = join(work, 'policies', 'kubectl-managed');
    mkdirSync(dir);
    writeFileSync(join(dir, 'policy.rego'), KUBECTL_MANAGED);
    writeFileSync(
      join(dir, 'policy.yaml'),
      policyYaml('kubectl-managed', 'reads metadata.managedFields'),
    );
    const keys = join(work, 'policies', 'metadata-keys');
    mkdirSync(keys);
    writeFileSync(join(keys, 'policy.rego'), METADATA_KEYS);
    writeFileSync(join(keys, 'policy.yaml'), policyYaml('metadata-keys', "lists metadata's keys"));
    out = join(work, 'bundle');
    await buildBundle({ policiesDir: join(work, 'policies'), outDir: out, opa });
    bundle = await loadBundle(out);
    inner = new InlineEvaluator(bundle, { maxMemoryBytes: 64 << 20 });
  }, 120_000);

  /** The snapshot's parts with these policies on (the rest off), params as given. */
  function snapshot(b: Bundle, on: Record<string, unknown>) {
    const off = [...b.policies.keys()].filter((id) => !(id in on));
    const config = validateConfig('t', {
      // the pod-spec cache off: each request reaches the evaluator (its equality is tested apart)
      evaluation: { podSpecCache: { maxEntries: 0 } },
      policies: {
        ...Object.fromEntries(off.map((id) => [id, { action: 'off' }])),
        ...on,
      },
    });
    return { config, policies: resolvePolicies(b.policies, config).policies, evaluator };
  }
  /** The same policies with the record saying they may read managedFields: nothing left out. */
  function keepingAll(s: ReturnType<typeof snapshot>) {
    const policies = s.policies.map((p) => ({
      ...p,
      meta: { ...p.meta, readsManagedFields: true },
    }));
    return { ...s, policies };
  }

  it('records false for every built-in policy and true for the one naming managedFields', () => {
    const manifest = JSON.parse(readFileSync(join(out, 'palisade.json'), 'utf8'));
    const records = Object.fromEntries(
      (manifest.policies as { id: string; readsManagedFields: unknown }[]).map((p) => [
        p.id,
        p.readsManagedFields,
      ]),
    );
    const builtIn = findPolicyFolders(POLICIES);
    expect(builtIn.length).toBeGreaterThan(30);
    expect(builtIn.filter((id) => records[id] !== false)).toEqual([]);
    expect(records['kubectl-managed']).toBe(true);
    expect(records['metadata-keys']).toBe(true);
  });

  it("gives managedFields to a policy iterating metadata's keys", async () => {
    const d = await handleAdmission(
      review(withManagedFields(deployment('api'))),
      snapshot(bundle, { 'metadata-keys': DENY, 'disallow-privileged': DENY }),
    );
    expect(d.violations.map((v) => [v.policy, v.msg])).toEqual([
      ['metadata-keys', 'metadata.managedFields is not allowed'],
    ]);
  });

  it('gives managedFields to a policy that names it, and it decides on them', async () => {
    const r = review(withManagedFields(deployment('api')));
    const all = snapshot(bundle, { 'kubectl-managed': DENY, 'disallow-privileged': DENY });
    seen.length = 0;
    const d = await handleAdmission(r, all);
    expect(d.violations.map((v) => [v.policy, v.msg])).toEqual([
      ['kubectl-managed', 'managed by kubectl'],
    ]);
    expect(seen[0]!.object!.metadata).toHaveProperty('managedFields');
  });

  it('leaves managedFields out of object and oldObject when no applicable policy reads them', async () => {
    const obj = withManagedFields(deployment('api'));
    const r = review(obj, { operation: 'UPDATE', oldObject: withManagedFields(deployment('api')) });
    seen.length = 0;
    await handleAdmission(
      r,
      snapshot(bundle, { 'disallow-privileged': DENY, 'require-labels': DENY }),
    );
    expect(seen[0]!.object!.metadata).not.toHaveProperty('managedFields');
    expect(seen[0]!.oldObject!.metadata).not.toHaveProperty('managedFields');
    expect(seen[0]!.object!.metadata).toEqual({ ...obj.metadata, managedFields: undefined });
    expect(r.request.object!.metadata).toHaveProperty('managedFields'); // the request unchanged
  });

  it('keeps managedFields with a bundle built before the record', async () => {
    const old = join(work, 'old-bundle');
    cpSync(out, old, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(old, 'palisade.json'), 'utf8'));
    for (const p of manifest.policies) delete p.readsManagedFields;
    writeFileSync(join(old, 'palisade.json'), JSON.stringify(manifest));
    const oldBundle = await loadBundle(old);
    seen.length = 0;
    await handleAdmission(
      review(withManagedFields(deployment('api'))),
      snapshot(oldBundle, { 'disallow-privileged': DENY }),
    );
    expect(seen[0]!.object!.metadata).toHaveProperty('managedFields');
  });

  const decision = (d: Decision) => JSON.stringify(d);
  const examples = findPolicyFolders(POLICIES)
    .flatMap((id) => policyExamples(POLICIES, id))
    .filter((e) => e.object);

  it('decides every example, and the fixtures, given managedFields, as with them', async () => {
    expect(examples.length).toBeGreaterThan(90);
    const cases: [string, AdmissionReviewRequest, Record<string, unknown>][] = [
      ...examples.map((ex): [string, AdmissionReviewRequest, Record<string, unknown>] => {
        const request = exampleRequest(ex);
        request.object = withManagedFields(request.object);
        request.oldObject = withManagedFields(request.oldObject);
        const params = ex.parameters ? { parameters: ex.parameters } : {};
        return [
          ex.file,
          { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request },
          { [ex.policy]: { action: 'deny', ...params } },
        ];
      }),
      ...[pod('web'), deployment('api')].map(
        (o): [string, AdmissionReviewRequest, Record<string, unknown>] => [
          String(o.kind),
          review(withManagedFields(o)),
          Object.fromEntries(findPolicyFolders(POLICIES).map((id) => [id, DENY])),
        ],
      ),
    ];
    let pruned = 0;
    for (const [file, r, on] of cases) {
      const s = snapshot(bundle, on);
      seen.length = 0;
      const got = await handleAdmission(r, s);
      const left = seen.length > 0 && !('managedFields' in (seen[0]!.object?.metadata ?? {}));
      seen.length = 0;
      const want = await handleAdmission(r, keepingAll(s));
      if (seen.length > 0)
        expect([file, seen[0]!.object!.metadata]).toHaveProperty('1.managedFields');
      if (left) pruned++;
      expect([file, decision(got)]).toEqual([file, decision(want)]);
    }
    // Every case with an object that reached the wasm had managedFields left out.
    expect(pruned).toBeGreaterThan(cases.length / 2);
  }, 120_000);
});
