// Gatekeeper's ConstraintTemplates compiled with the real opa into the SAME wasm as Palisade's
// own policies, and their constraints evaluated through handleAdmission: actions, two
// constraints of one template, v0 and v1 Rego side by side, same-named libs of two templates,
// CEL-only refused by name, a Rego error refused with its line while the rest serves, messages.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handleAdmission } from '../../src/admission/handler';
import { sandboxModule } from '../../src/gatekeeper/sandbox';
import { Opa, pinnedOpaPath, type RegoModule } from '../../src/policy/build/opa';
import { constraintPolicies } from '../../src/gatekeeper/policies';
import type { Bundle } from '../../src/policy/bundle';
import type { Evaluator } from '../../src/policy/engine';
import type { PolicySnapshot } from '../../src/policy/snapshot';
import type { KubeObject } from '../../src/policy/request';
import { container, pod, review } from '../fixtures/reviews';
import { compileAndStart, fixtureObjects, type Compiled } from './gatekeeper-engine-fixtures';

let gk: Compiled;
const objects = fixtureObjects();
beforeAll(async () => {
  gk = await compileAndStart(objects);
  expect(await gk.runtime.setConstraints(constraintPolicies(objects.constraints))).toBe(true);
});
afterAll(() => gk.close());

function labelled(
  p: KubeObject,
  labels: Record<string, string>,
  namespace = 'default',
): KubeObject {
  return { ...p, metadata: { ...p.metadata, namespace, labels } };
}

/** A snapshot whose evaluator counts its evaluations. */
function counting(snapshot: PolicySnapshot): { snapshot: PolicySnapshot; calls: number[] } {
  const calls: number[] = [];
  const evaluator: Evaluator = {
    evaluate: (input, signal) => (calls.push(1), snapshot.evaluator.evaluate(input, signal)),
    close: async () => {},
  };
  return { snapshot: { ...snapshot, evaluator }, calls };
}

const OK_LABELS = { owner: 'ann', team: 'web' };
const GOOD = container({ image: 'registry.example.com/app:1.4.2' });

describe('compile', () => {
  it('builds every Rego template and reports the others by name', () => {
    expect(gk.compiled.compiled.sort()).toEqual([
      'k8sallowedrepos',
      'k8scontainerlimits',
      'k8sdisallowedtags',
      'k8srequiredlabels',
    ]);
    // The Rego error: opa's code and message, the template's field and line.
    expect(gk.compiled.errors.get('k8sbrokenrego')).toEqual([
      {
        template: 'k8sbrokenrego',
        code: 'rego_unsafe_var_error',
        message: 'var undefined_name is unsafe',
        location: 'spec.targets[0].rego:5:3',
      },
    ]);
    // The CEL-only template: refused as unsupported, by name, when the objects are read.
    expect(objects.problems.map((p) => p.message)).toEqual([
      'unsupported ConstraintTemplate k8scelonly: only CEL code (engine K8sNativeValidation) and no Rego: Palisade runs Rego templates only',
    ]);
  });

  it('lists the templates in palisade.json beside the built-in policies', () => {
    const bundle = (gk.runtime.snapshot as PolicySnapshot & { bundle: Bundle }).bundle;
    expect([...bundle.templates.keys()].sort()).toEqual(gk.compiled.compiled.sort());
    expect(bundle.templates.get('k8srequiredlabels')).toEqual({
      name: 'k8srequiredlabels',
      kind: 'K8sRequiredLabels',
      package: 'gatekeeper.k8srequiredlabels.k8srequiredlabels',
    });
    expect(bundle.policies.has('disallow-privileged')).toBe(true);
  });
});

describe('evaluation', () => {
  it('runs built-in policies and constraints in one wasm evaluation', async () => {
    const { snapshot, calls } = counting(gk.runtime.snapshot);
    const p = labelled(pod('web', [container({ privileged: true })]), {});
    const d = await handleAdmission(review(p), snapshot);
    expect(calls).toHaveLength(1);
    const ids = new Set(d.violations.map((v) => v.policy));
    expect(ids.has('disallow-privileged')).toBe(true);
    expect(ids.has('K8sRequiredLabels/must-have-owner')).toBe(true);
    expect(d.outcome).toBe('deny');
  });

  it("denies with Gatekeeper's [constraint-name] message", async () => {
    const d = await handleAdmission(
      review(labelled(pod('web', [GOOD]), { team: 'web' })),
      gk.runtime.snapshot,
    );
    expect(d.outcome).toBe('deny');
    expect(d.review.response.status?.message).toBe(
      '1 violation of 1 policy:\n- [must-have-owner] you must provide labels: {"owner"}',
    );
  });

  it('runs two constraints of one template with their own parameters and actions', async () => {
    const d = await handleAdmission(review(labelled(pod('web', [GOOD]), {})), gk.runtime.snapshot);
    const byId = Object.fromEntries(d.violations.map((v) => [v.policy, [v.action, v.msg]]));
    expect(byId['K8sRequiredLabels/must-have-owner']).toEqual([
      'deny',
      'you must provide labels: {"owner"}',
    ]);
    expect(byId['K8sRequiredLabels/must-have-team']).toEqual([
      'warn',
      'you must provide labels: {"team"}',
    ]);
    expect(d.review.response.warnings).toEqual([
      '[must-have-team] you must provide labels: {"team"}',
    ]);
  });

  it('keeps excludedNamespaces (prefix glob) and namespaces (prefix and suffix globs)', async () => {
    const bad = container({ image: 'docker.io/app:1' });
    const at = async (ns: string) =>
      (
        await handleAdmission(
          review(labelled(pod('web', [bad]), OK_LABELS, ns)),
          gk.runtime.snapshot,
        )
      ).violations
        .map((v) => v.policy)
        .filter((id) => id.startsWith('K8s'))
        .sort();
    expect(await at('prod-a')).toEqual(['K8sAllowedRepos/prod-repos']);
    expect(await at('shop-prod')).toEqual(['K8sAllowedRepos/prod-repos']);
    expect(await at('default')).toEqual([]);
    const noTeam = labelled(pod('web', [GOOD]), { owner: 'ann' }, 'kube-system');
    const d = await handleAdmission(review(noTeam), gk.runtime.snapshot);
    expect(d.violations.map((v) => v.policy)).not.toContain('K8sRequiredLabels/must-have-team');
  });

  it('records dryrun in audit annotations, with the path the template gives in details', async () => {
    const p = labelled(
      pod('web', [container({ name: 'app', image: 'docker.io/app:1' })]),
      OK_LABELS,
      'prod-a',
    );
    const d = await handleAdmission(review(p), gk.runtime.snapshot);
    expect(d.outcome).toBe('allow');
    expect(d.review.response.auditAnnotations).toEqual({
      'K8sAllowedRepos-prod-repos':
        'spec.containers[0].image: container <app> has an invalid image repo <docker.io/app:1>, allowed repos are ["registry.example.com/"]',
    });
  });

  it("takes a scoped constraint's action for validation.gatekeeper.sh (warn), not audit's", async () => {
    const p = labelled(
      pod('web', [container({ name: 'app', limits: { memory: '1Gi' } })]),
      OK_LABELS,
    );
    const d = await handleAdmission(review(p), gk.runtime.snapshot);
    expect(d.outcome).toBe('allow');
    expect(d.review.response.warnings).toEqual([
      '[container-limits] container <app> has no cpu limit',
    ]);
  });

  it('gives each template its own lib.helpers (same package name, other rules)', async () => {
    const p = labelled(
      pod('web', [container({ name: 'app', image: 'registry.example.com/app', limits: null })]),
      OK_LABELS,
    );
    const d = await handleAdmission(review(p), gk.runtime.snapshot);
    const found = d.violations
      .filter((v) => v.policy.startsWith('K8s'))
      .map((v) => [v.policy, v.msg]);
    expect(found.sort()).toEqual([
      ['K8sContainerLimits/container-limits', 'container <app> has no cpu limit'],
      ['K8sContainerLimits/container-limits', 'container <app> has no memory limit'],
      ['K8sDisallowedTags/no-latest', 'container <app> uses a disallowed tag <latest>'],
    ]);
  });

  it("shows path and fix from a v1 template's details in the denial", async () => {
    const p = labelled(
      pod('web', [container({ name: 'app', image: 'registry.example.com/app:latest' })]),
      OK_LABELS,
    );
    const d = await handleAdmission(review(p), gk.runtime.snapshot);
    expect(d.review.response.status?.message).toBe(
      '1 violation of 1 policy:\n- [no-latest] spec.containers[0].image: container <app> uses a disallowed tag <latest> Fix: pin the image to a version tag or a digest.',
    );
  });

  it('matches a Namespace by its own kind and labels', async () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
    const d = await handleAdmission(review(ns), gk.runtime.snapshot);
    expect(d.violations.map((v) => v.policy)).toContain('K8sRequiredLabels/must-have-owner');
  });

  it('evaluates a DELETE on the old object, as Gatekeeper sets input.review.object', async () => {
    const p = labelled(pod('web', [GOOD]), { team: 'web' });
    const d = await handleAdmission(
      review(null, { operation: 'DELETE', oldObject: p }),
      gk.runtime.snapshot,
    );
    expect(d.violations.map((v) => v.policy)).toContain('K8sRequiredLabels/must-have-owner');
  });
});

describe('constraints change without a compile', () => {
  it('swaps a new policy set over the same bundle when parameters change, and back', async () => {
    const bundleOf = () => (gk.runtime.snapshot as PolicySnapshot & { bundle: Bundle }).bundle;
    const before = bundleOf();
    const edited = objects.constraints.map((c) =>
      c.id === 'K8sRequiredLabels/must-have-owner'
        ? { ...c, parameters: { labels: ['owner', 'cost'] } }
        : c,
    );
    expect(await gk.runtime.setConstraints(constraintPolicies(edited))).toBe(true);
    expect(bundleOf()).toBe(before);
    const p = labelled(pod('web', [GOOD]), OK_LABELS);
    let d = await handleAdmission(review(p), gk.runtime.snapshot);
    expect(d.violations.map((v) => v.msg)).toEqual(['you must provide labels: {"cost"}']);
    // Deleting the constraint lifts it.
    const without = objects.constraints.filter((c) => c.id !== 'K8sRequiredLabels/must-have-owner');
    expect(await gk.runtime.setConstraints(constraintPolicies(without))).toBe(true);
    d = await handleAdmission(
      review(labelled(pod('web', [GOOD]), { team: 'web' })),
      gk.runtime.snapshot,
    );
    expect(d.outcome).toBe('allow');
    expect(await gk.runtime.setConstraints(constraintPolicies(objects.constraints))).toBe(true);
  });

  it('refuses a constraint whose template is not in the bundle; the previous set serves', async () => {
    const rejected: Error[] = [];
    gk.runtime.on('rejected', (_kind, e) => rejected.push(e));
    const orphan = {
      ...objects.constraints[0]!,
      id: 'K8sBrokenRego/x',
      kind: 'K8sBrokenRego',
      name: 'x',
      template: 'k8sbrokenrego',
    };
    const before = gk.runtime.snapshot;
    expect(
      await gk.runtime.setConstraints(constraintPolicies([...objects.constraints, orphan])),
    ).toBe(false);
    expect(gk.runtime.snapshot).toBe(before);
    expect(rejected[0]?.message).toContain(
      'constraint K8sBrokenRego/x: its ConstraintTemplate k8sbrokenrego is not in the bundle',
    );
  });
});

describe('a template that does not compile', () => {
  it('leaves a bundle that serves, with the error, when it was the only template', async () => {
    const only = fixtureObjects(['k8sbrokenrego.yaml']);
    const broken = await compileAndStart(only, { templatesOnly: true });
    try {
      expect(broken.compiled.compiled).toEqual([]);
      expect([...broken.compiled.errors.keys()]).toEqual(['k8sbrokenrego']);
      const d = await handleAdmission(review(pod('web')), broken.runtime.snapshot);
      expect(d.outcome).toBe('allow');
    } finally {
      await broken.close();
    }
  });
});

describe('sandbox', () => {
  it("rewrites packages and data refs from opa's AST, leaving strings, comments and data.inventory", async () => {
    const opa = new Opa(pinnedOpaPath());
    const dir = mkdtempSync(join(tmpdir(), 'palisade-sandbox-'));
    try {
      const text = [
        'package lib.helpers',
        'import data.lib.other',
        '# data.lib.x in a comment',
        'x[v] { v := "data.lib.é"; data.lib.other.y[v]; not data.inventory.cluster["v1"] }',
        'y { data["lib"].z == data.lib.w }',
        '',
      ].join('\n');
      const file = join(dir, 'm.rego');
      writeFileSync(file, text);
      const ast = await opa.json<RegoModule>([
        'parse',
        '--format',
        'json',
        '--json-include',
        'locations,-comments',
        '--v0-compatible',
        file,
      ]);
      expect(sandboxModule(text, ast, 'gatekeeper.t')).toBe(
        [
          'package gatekeeper.t.lib.helpers',
          'import data.gatekeeper.t.lib.other',
          '# data.lib.x in a comment',
          'x[v] { v := "data.lib.é"; data.gatekeeper.t.lib.other.y[v]; not data.inventory.cluster["v1"] }',
          'y { data.gatekeeper.t["lib"].z == data.gatekeeper.t.lib.w }',
          '',
        ].join('\n'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
