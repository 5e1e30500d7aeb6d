// Gatekeeper's API served by Palisade against the real kube-apiserver: the chart's
// ConstraintTemplate CRD (rendered by the real helm), Gatekeeper's documented template and a
// constraint applied with kubectl, Pods judged by the webhook, statuses as Gatekeeper writes
// them, and the refusal to start while Gatekeeper is installed. Every wait polls a condition
// with a bound; nothing sleeps.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { pinnedOpaPath } from '../../src/policy/build/opa';
import { KUBECONFIG, kubectl, requireCluster } from '../support/cluster';
import { startPalisade, type Palisade } from '../support/palisade';
import { onlyPolicies } from '../support/policy-selection';
import { installTemplateCrd, kubectlOk, until as gatekeeperUntil } from './gatekeeper-support';
import { podObject } from './manifests';
import { createNamespace, uniqueName } from './namespaces';
import { applyWebhook, deleteWebhook, waitForWebhook } from './webhook-configuration';

/** `text` with `from` replaced by `to`; throws when `from` is not there (an edit that silently
 * changed nothing would make a test pass or fail for the wrong reason). */
function edit(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`edit: ${JSON.stringify(from)} is not in the text`);
  return text.replace(from, to);
}

const WEBHOOK = 'validate.palisade.dev';
const FIXTURES = join(__dirname, 'gatekeeper');
const fixture = (f: string) => readFileSync(join(FIXTURES, f), 'utf8');
const TEMPLATE = fixture('k8srequiredlabels-template.yaml');
const CONSTRAINT = fixture('pod-must-have-team.yaml');
const BROKEN = fixture('broken-template.yaml');

const run = uniqueName('gk').slice(3);
const POD_ID = `e2e-gatekeeper-${run}`;
const LABEL = 'e2e.palisade.dev/gatekeeper';
let palisade: Palisade;
let ns: string;

const ok = kubectlOk;
const until = <T>(what: string, probe: () => Promise<T | undefined>) =>
  gatekeeperUntil(what, probe, () => palisade?.output() ?? '');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- kubectl's JSON, asserted on
async function getJson(kind: string, name: string): Promise<any> {
  const r = await kubectl(['get', kind, name, '-o', 'json']);
  return r.code === 0 ? JSON.parse(r.stdout) : undefined;
}

/** This Palisade's status.byPod entry of the object, once it reports `generation`. */
function ownEntry(kind: string, name: string, generation?: number) {
  return until(`${kind} ${name} status.byPod[${POD_ID}]`, async () => {
    const o = await getJson(kind, name);
    const e = o?.status?.byPod?.find((x: { id: string }) => x.id === POD_ID);
    const gen = generation ?? o?.metadata?.generation;
    return e && e.observedGeneration === gen ? { object: o, entry: e } : undefined;
  });
}

const createPod = (name: string, labels: Record<string, string>) => {
  const p = podObject(name) as { metadata: { labels: Record<string, string> } };
  p.metadata.labels = labels;
  return kubectl(['create', '--dry-run=server', '-n', ns, '-f', '-'], JSON.stringify(p));
};
const denied = (msg: string) =>
  `Error from server (Forbidden): error when creating "STDIN": admission webhook "${WEBHOOK}" denied the request: ${msg}`;

beforeAll(async () => {
  requireCluster();
  await installTemplateCrd();
  palisade = await startPalisade({
    config: {
      // disallow-privileged denies the webhook probe (waitForWebhook); every other built-in is off.
      policies: onlyPolicies({ 'disallow-privileged': { action: 'deny' } }),
      kubernetes: { kubeconfig: KUBECONFIG },
      gatekeeper: { enabled: true, opaPath: pinnedOpaPath(), podName: POD_ID },
    },
  });
  ns = await createNamespace(uniqueName('e2e-gk'), { [LABEL]: run });
  await applyWebhook({
    configName: `palisade-e2e-gk-${run}`,
    webhookName: WEBHOOK,
    url: palisade.validateUrl,
    caPem: palisade.ca.certPem,
    failurePolicy: 'Fail',
    namespaceSelector: { matchLabels: { [LABEL]: run } },
  });
  await waitForWebhook(ns, WEBHOOK);
}, 180_000);

afterAll(async () => {
  await deleteWebhook(`palisade-e2e-gk-${run}`);
  await kubectl(['delete', '-f', '-', '--ignore-not-found'], CONSTRAINT);
  await kubectl(['delete', '-f', '-', '--ignore-not-found'], BROKEN);
  await kubectl(['delete', '-f', '-', '--ignore-not-found'], TEMPLATE);
  await palisade?.stop();
  await kubectl([
    'delete',
    'crd',
    'k8srequiredlabels.constraints.gatekeeper.sh',
    '--ignore-not-found',
  ]);
});

it('makes the constraint CRD of an applied template, as Gatekeeper does, and reports it created', async () => {
  await ok(['apply', '-f', '-'], TEMPLATE);
  const { object, entry } = await ownEntry('constrainttemplate', 'k8srequiredlabels');
  expect(object.status.created).toBe(true);
  expect(entry).toEqual({ id: POD_ID, observedGeneration: object.metadata.generation });
  const crd = await getJson('crd', 'k8srequiredlabels.constraints.gatekeeper.sh');
  expect(crd.spec).toMatchObject({
    group: 'constraints.gatekeeper.sh',
    scope: 'Cluster',
    names: {
      kind: 'K8sRequiredLabels',
      plural: 'k8srequiredlabels',
      categories: ['constraint', 'constraints'],
    },
  });
  expect(
    crd.spec.versions.map((v: Record<string, unknown>) => [v.name, v.served, v.storage]),
  ).toEqual([
    ['v1beta1', true, true],
    ['v1alpha1', true, false],
    ['v1', true, false],
  ]);
  const v1beta1 = crd.spec.versions[0];
  expect(v1beta1.subresources).toEqual({ status: {} });
  expect(v1beta1.schema.openAPIV3Schema.properties.spec.properties.parameters).toEqual({
    type: 'object',
    properties: { labels: { type: 'array', items: { type: 'string' } } },
  });
  // Another replica's entry survives this one's next write (a new generation to report).
  const other = { id: 'another-replica', observedGeneration: object.metadata.generation };
  await ok([
    'patch',
    'constrainttemplate',
    'k8srequiredlabels',
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({ status: { byPod: [...object.status.byPod, other] } }),
  ]);
  await ok(
    ['apply', '-f', '-'],
    edit(TEMPLATE, 'you must provide labels', 'you must provide labels'.toUpperCase()),
  );
  const next = await ownEntry(
    'constrainttemplate',
    'k8srequiredlabels',
    object.metadata.generation + 1,
  );
  expect(next.object.status.byPod).toContainEqual(other);
  // A recompile with the same schema leaves the CRD as it is (the apiserver's defaults aside).
  expect(palisade.process.count('"result":"updated"')).toBe(0);
  await ok(['apply', '-f', '-'], TEMPLATE);
  await ownEntry('constrainttemplate', 'k8srequiredlabels', object.metadata.generation + 2);

  // The CRD serves: bad parameters are refused by the apiserver at apply time.
  const bad = edit(CONSTRAINT, "labels: ['team']", 'labels: "team"');
  const r = await kubectl(['apply', '--dry-run=server', '-f', '-'], bad);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(
    'spec.parameters.labels: Invalid value: "string": spec.parameters.labels in body must be of type array',
  );
});

it('denies a Pod that violates a constraint with [constraint-name] message, and follows edits and deletion', async () => {
  await ok(['apply', '-f', '-'], TEMPLATE);
  await ok(['apply', '-f', '-'], CONSTRAINT);
  const compiles = palisade.process.count('templates compiled; bundle swapped');
  const { entry } = await ownEntry('k8srequiredlabels', 'pod-must-have-team', 1);
  expect(entry).toEqual({ id: POD_ID, observedGeneration: 1, enforced: true });

  const noTeam = await createPod('no-team', { app: 'web' });
  expect(noTeam.stderr).toBe(
    denied('1 violation of 1 policy:\n- [pod-must-have-team] you must provide labels: {"team"}\n'),
  );
  expect((await createPod('team', { team: 'a' })).code).toBe(0);

  // Editing the parameters changes the decision (a new snapshot; no recompile).
  await ok(['apply', '-f', '-'], edit(CONSTRAINT, "labels: ['team']", "labels: ['team', 'tier']"));
  await ownEntry('k8srequiredlabels', 'pod-must-have-team', 2);
  expect((await createPod('team-only', { team: 'a' })).stderr).toBe(
    denied('1 violation of 1 policy:\n- [pod-must-have-team] you must provide labels: {"tier"}\n'),
  );
  expect((await createPod('both', { team: 'a', tier: 'b' })).code).toBe(0);
  expect(palisade.process.count('templates compiled; bundle swapped')).toBe(compiles);

  // Deleting the constraint lifts it.
  await ok(['delete', '-f', '-'], CONSTRAINT);
  await until('the deleted constraint lifted', async () =>
    (await createPod('no-team', { app: 'web' })).code === 0 ? true : undefined,
  );
});

it('reports a template with a Rego error in its status, with the line, and breaks nothing else', async () => {
  await ok(['apply', '-f', '-'], TEMPLATE);
  await ok(['apply', '-f', '-'], edit(CONSTRAINT, "labels: ['team']", "labels: ['owner']"));
  await until('the constraint enforced', async () =>
    (await createPod('no-owner', {})).code === 1 ? true : undefined,
  );
  await ok(['apply', '-f', '-'], BROKEN);
  const { object, entry } = await ownEntry('constrainttemplate', 'k8sbrokene2e');
  expect(object.status.created).toBe(false);
  expect(entry.errors).toHaveLength(1);
  expect(entry.errors[0].code).toBe('rego_type_error');
  expect(entry.errors[0].message).toContain('no_such_function');
  expect(entry.errors[0].location).toMatch(/^spec\.targets\[0\]\.rego:4\b/);
  expect(await getJson('crd', 'k8sbrokene2e.constraints.gatekeeper.sh')).toBeUndefined();
  // The good template and its constraint still serve.
  expect((await createPod('no-owner', {})).stderr).toBe(
    denied('1 violation of 1 policy:\n- [pod-must-have-team] you must provide labels: {"owner"}\n'),
  );
  const good = await ownEntry('constrainttemplate', 'k8srequiredlabels');
  expect(good.entry.errors).toBeUndefined();
  await ok(['delete', '-f', '-'], BROKEN);
  await ok(['delete', '-f', '-'], CONSTRAINT);
});

it('two replicas each compile and serve, and each writes only its own status entry', async () => {
  await ok(['apply', '-f', '-'], TEMPLATE);
  await ok(['apply', '-f', '-'], CONSTRAINT);
  const second = await startPalisade({
    config: {
      policies: onlyPolicies({}),
      kubernetes: { kubeconfig: KUBECONFIG },
      gatekeeper: { enabled: true, opaPath: pinnedOpaPath(), podName: `${POD_ID}-b` },
    },
  });
  try {
    const both = (o: { status?: { byPod?: Array<{ id: string }> } }) =>
      [POD_ID, `${POD_ID}-b`].every((id) => o?.status?.byPod?.some((e) => e.id === id));
    const template = await until('both entries in the template status', async () => {
      const o = await getJson('constrainttemplate', 'k8srequiredlabels');
      return both(o) ? o : undefined;
    });
    expect(template.status.created).toBe(true);
    const constraint = await until('both entries in the constraint status', async () => {
      const o = await getJson('k8srequiredlabels', 'pod-must-have-team');
      return both(o) ? o : undefined;
    });
    for (const id of [POD_ID, `${POD_ID}-b`]) {
      expect(constraint.status.byPod).toContainEqual({
        id,
        observedGeneration: constraint.metadata.generation,
        enforced: true,
      });
    }
  } finally {
    await second.stop();
    await ok(['delete', '-f', '-'], CONSTRAINT);
  }
});

it('deleting a template deletes its constraint CRD', async () => {
  await ok(['apply', '-f', '-'], TEMPLATE);
  await ownEntry('constrainttemplate', 'k8srequiredlabels');
  await ok(['delete', '-f', '-'], TEMPLATE);
  await until('the constraint CRD deleted', async () =>
    (await getJson('crd', 'k8srequiredlabels.constraints.gatekeeper.sh')) ? undefined : true,
  );
});

it('adopts the constraint CRD Gatekeeper left, keeping its constraints', async () => {
  const kind = 'K8sAdoptedLabels';
  const crdName = 'k8sadoptedlabels.constraints.gatekeeper.sh';
  // As Gatekeeper leaves it when uninstalled with its CRDs kept: its label, not Palisade's.
  const left = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: crdName, labels: { 'gatekeeper.sh/constraint': 'yes' } },
    spec: {
      group: 'constraints.gatekeeper.sh',
      scope: 'Cluster',
      names: { kind, plural: 'k8sadoptedlabels', categories: ['constraint', 'constraints'] },
      versions: [
        {
          name: 'v1beta1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          },
        },
      ],
    },
  };
  const template = TEMPLATE.replace(/k8srequiredlabels/g, 'k8sadoptedlabels').replace(
    'K8sRequiredLabels',
    kind,
  );
  const constraint = CONSTRAINT.replace('K8sRequiredLabels', kind).replace(
    'pod-must-have-team',
    'adopted-must-have-team',
  );
  try {
    await ok(['apply', '-f', '-'], JSON.stringify(left));
    await ok(['wait', '--for=condition=established', '--timeout=60s', `crd/${crdName}`]);
    await ok(['apply', '-f', '-'], constraint);
    await ok(['apply', '-f', '-'], template);
    const { object } = await ownEntry('constrainttemplate', 'k8sadoptedlabels');
    expect(object.status.created).toBe(true);
    const crd = await getJson('crd', crdName);
    expect(crd.metadata.labels).toMatchObject({
      'gatekeeper.sh/constraint': 'yes',
      'app.kubernetes.io/managed-by': 'palisade',
    });
    const { entry } = await ownEntry('k8sadoptedlabels', 'adopted-must-have-team');
    expect(entry.enforced).toBe(true);
    expect((await createPod('unlabelled', {})).stderr).toBe(
      denied(
        '1 violation of 1 policy:\n- [adopted-must-have-team] you must provide labels: {"team"}\n',
      ),
    );
  } finally {
    await kubectl(['delete', '-f', '-', '--ignore-not-found'], template);
    await kubectl(['delete', 'crd', crdName, '--ignore-not-found']);
  }
});

it('refuses to start while Gatekeeper is installed, saying so, with exit code 3', async () => {
  // Gatekeeper's webhook configuration, as its chart labels it (no webhooks: it judges nothing).
  const name = `gatekeeper-validating-webhook-configuration-${run}`;
  const vwc = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name, labels: { 'gatekeeper.sh/system': 'yes' } },
    webhooks: [],
  };
  await ok(['create', '-f', '-'], JSON.stringify(vwc));
  try {
    const second = startPalisade({
      config: {
        kubernetes: { kubeconfig: KUBECONFIG },
        gatekeeper: { enabled: true, opaPath: pinnedOpaPath(), podName: `${POD_ID}-2` },
      },
    });
    await expect(second).rejects.toThrow(/Palisade exited \(3\)/);
    const err = await second.catch((e: Error) => e.message);
    const line = String(err)
      .split('\n')
      .find((l) => l.includes('PAL_ERR_GATEKEEPER_START'));
    expect(parse(line!)).toMatchObject({
      level: 60,
      code: 'PAL_ERR_GATEKEEPER_START',
      msg:
        `gatekeeper.enabled: cannot start: Gatekeeper is installed in this cluster (validatingwebhookconfiguration ${name}): ` +
        'uninstall it (or turn gatekeeper.enabled off) before Palisade serves its API (docs/gatekeeper.md "Moving from Gatekeeper")',
    });
  } finally {
    await kubectl(['delete', 'validatingwebhookconfiguration', name, '--ignore-not-found']);
  }
});
