// The Gatekeeper mode's permissions, as the chart renders them (real helm), applied to the real
// apiserver and exercised as Palisade's service account (kubectl --as): what the controller needs
// is allowed, and its CRD writes are confined to constraints.gatekeeper.sh by the chart's
// ValidatingAdmissionPolicy, which RBAC alone cannot express.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { kubectl, requireCluster } from '../support/cluster';
import { ROOT } from '../support/root';
import { until } from './gatekeeper-support';
import { uniqueName } from './namespaces';

const release = uniqueName('palisade');
const namespace = uniqueName('e2e-gk-rbac');
const account = `system:serviceaccount:${namespace}:${release}`;
let rendered: string;

const as = (args: string[], stdin?: string) =>
  kubectl(['--as', account, '--as-group', 'system:serviceaccounts', ...args], stdin);

function crd(group: string, kind: string) {
  const plural = kind.toLowerCase();
  return JSON.stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: 'Cluster',
      names: { kind, plural },
      versions: [
        {
          name: 'v1beta1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          },
        },
      ],
    },
  });
}

beforeAll(async () => {
  requireCluster();
  rendered = execFileSync(
    join(ROOT, '.tools/bin/helm'),
    [
      'template',
      release,
      join(ROOT, 'charts/palisade'),
      '-n',
      namespace,
      '--set',
      'gatekeeper.enabled=true',
      '--show-only',
      'templates/gatekeeper-rbac.yaml',
    ],
    { encoding: 'utf8' },
  );
  const r = await kubectl(['apply', '-f', '-'], rendered);
  if (r.code !== 0) throw new Error(r.stderr);
});

afterAll(async () => {
  if (rendered) await kubectl(['delete', '-f', '-', '--ignore-not-found'], rendered);
});

/** The apiserver's own answer (a SubjectAccessReview: no discovery, so kinds need not exist). */
async function allowed(verb: string, resource: string): Promise<boolean> {
  const [path, subresource] = resource.split('/');
  const [plural, ...group] = path!.split('.');
  const review = {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: {
      user: account,
      groups: ['system:serviceaccounts', 'system:authenticated'],
      resourceAttributes: { verb, group: group.join('.'), resource: plural, subresource },
    },
  };
  const r = await kubectl(['create', '-o', 'json', '-f', '-'], JSON.stringify(review));
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout).status.allowed === true;
}

it.each([
  ['create', 'customresourcedefinitions.apiextensions.k8s.io'],
  ['update', 'customresourcedefinitions.apiextensions.k8s.io'],
  ['delete', 'customresourcedefinitions.apiextensions.k8s.io'],
  ['watch', 'constrainttemplates.templates.gatekeeper.sh'],
  ['update', 'constrainttemplates.templates.gatekeeper.sh/status'],
  ['list', 'k8srequiredlabels.constraints.gatekeeper.sh'],
  ['watch', 'anykind.constraints.gatekeeper.sh'],
  ['update', 'k8srequiredlabels.constraints.gatekeeper.sh/status'],
  ['list', 'validatingwebhookconfigurations.admissionregistration.k8s.io'],
  ['watch', 'namespaces'],
])('may %s %s', async (verb, resource) => {
  expect(await allowed(verb, resource)).toBe(true);
});

it.each([
  ['update', 'constrainttemplates.templates.gatekeeper.sh'],
  ['delete', 'constrainttemplates.templates.gatekeeper.sh'],
  ['update', 'k8srequiredlabels.constraints.gatekeeper.sh'],
  ['delete', 'k8srequiredlabels.constraints.gatekeeper.sh'],
  ['update', 'validatingwebhookconfigurations.admissionregistration.k8s.io'],
  ['list', 'pods'],
  ['get', 'secrets'],
])('may not %s %s', async (verb, resource) => {
  expect(await allowed(verb, resource)).toBe(false);
});

it('may write a CRD of constraints.gatekeeper.sh, and no other', async () => {
  const other = crd('e2e.palisade.dev', `E2eOther${release.slice(-8)}`);
  const expected = `ValidatingAdmissionPolicy '${release}-gatekeeper-crds' with binding '${release}-gatekeeper-crds' denied request: Palisade's service account may only write CustomResourceDefinitions of constraints.gatekeeper.sh`;
  // The apiserver loads admission policies through an informer: poll (bounded) until in force.
  const last = await until('the admission policy in force', async () => {
    const r = await as(['create', '--dry-run=server', '-f', '-'], other);
    return r.stderr.includes(expected) ? r : undefined;
  });
  expect(last.code).toBe(1);
  const own = await as(
    ['create', '--dry-run=server', '-f', '-'],
    crd('constraints.gatekeeper.sh', `E2eOwn${release.slice(-8)}`),
  );
  expect(own).toMatchObject({ code: 0 });
  expect(own.stdout).toContain('created (server dry run)');
});
