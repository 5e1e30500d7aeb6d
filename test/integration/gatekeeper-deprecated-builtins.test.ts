// The deprecated builtins v0 Rego may call (any, all, re_match, set_diff, net.cidr_overlap) are
// in policies/capabilities.json so Gatekeeper's older templates compile, with the real opa, and
// the wasm evaluates them, natively or (cast_*) through the host (the suite test/fixtures/gatekeeper/compat/deprecated-builtins runs in
// gator and palisade verify through gatekeeper-gator-differential.test.ts). An impure builtin
// stays refused at compile time, naming the template; and Palisade's v1 policies still cannot
// call any deprecated builtin.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileTemplates } from '../../src/gatekeeper/compile';
import { parseTemplate } from '../../src/gatekeeper/template';
import { capabilitiesFile, builtinPoliciesDir } from '../../src/policy/build/build-bundle';
import { Opa, pinnedOpaPath } from '../../src/policy/build/opa';
import { palisade } from './cli-run';

const opa = new Opa(pinnedOpaPath());
let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'palisade-deprecated-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function template(name: string, rego: string) {
  return parseTemplate(
    {
      apiVersion: 'templates.gatekeeper.sh/v1',
      kind: 'ConstraintTemplate',
      metadata: { name },
      spec: {
        crd: { spec: { names: { kind: name } } },
        targets: [{ target: 'admission.k8s.gatekeeper.sh', rego }],
      },
    },
    `${name}.yaml`,
  );
}

it('compiles a v0 template calling each deprecated builtin the wasm evaluates', async () => {
  const calls = [
    'any([true])',
    'all([true])',
    're_match("^a", "abc")',
    'count(set_diff({1, 2}, {1})) == 1',
    'net.cidr_overlap("10.0.0.0/8", "10.1.2.3")',
    'count(cast_set([1, 1])) == 1',
    'cast_array({1}) == [1]',
    'cast_string("s") == "s"',
    'cast_boolean(true)',
    'cast_null(null) == null',
    'cast_object({}) == {}',
  ];
  const rego = `package legacy\n\nviolation[{"msg": "m"}] {\n  ${calls.join('\n  ')}\n}\n`;
  const out = await compileTemplates({
    opa,
    templates: [template('legacy', rego)],
    outDir: join(work, 'ok'),
  });
  expect(out.errors).toEqual(new Map());
  expect(out.compiled).toEqual(['legacy']);
});

it('evaluates them: palisade verify passes the compat suite (each rule fires, or not, by case)', async () => {
  const suite = 'test/fixtures/gatekeeper/compat/deprecated-builtins';
  const run = await palisade(['verify', suite, '--format', 'json']);
  expect(run.stderr).toBe('');
  const out = JSON.parse(run.stdout) as {
    suites: { tests: { cases: { name: string; passed: boolean }[] }[] }[];
  };
  expect(out.suites.flatMap((s) => s.tests.flatMap((t) => t.cases))).toEqual([
    { name: 'legacy-compliant-pod', passed: true, reason: null },
    { name: 'legacy-every-rule-fires', passed: true, reason: null },
    { name: 'legacy-labels-missing', passed: true, reason: null },
  ]);
  expect(run.code).toBe(0);
});

it('refuses a v0 template calling an impure builtin (http.send), by name', async () => {
  const rego =
    'package legacycast\n\nviolation[{"msg": m}] {\n  m := http.send({"method": "get", "url": input.u})\n}\n';
  const out = await compileTemplates({
    opa,
    templates: [template('legacycast', rego)],
    outDir: join(work, 'cast'),
  });
  expect(out.compiled).toEqual([]);
  expect(out.errors.get('legacycast')).toEqual([
    {
      template: 'legacycast',
      code: 'rego_type_error',
      message: 'undefined function http.send',
      location: 'spec.targets[0].rego:4:8',
    },
  ]);
});

it("keeps Palisade's v1 policies from calling a deprecated builtin", async () => {
  const file = join(work, 'v1.rego');
  writeFileSync(file, 'package v1policy\n\ndeny if any([true])\n');
  const caps = capabilitiesFile(builtinPoliciesDir());
  const r = await opa.run(['check', '--capabilities', caps, file]);
  expect(r.code).toBe(1);
  expect(`${r.stdout}${r.stderr}`).toContain(
    'deprecated built-in function calls in expression: any',
  );
});
