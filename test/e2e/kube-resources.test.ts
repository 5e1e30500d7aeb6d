// src/kube against the real apiserver (in a process: test/e2e/kube/driver.ts): discovery (kind
// → plural and scope, a CRD installed after the first look), lists page by page with
// limit/continue as the apiserver's raw JSON, the Reflector over a kind (list, then ADDED /
// MODIFIED / DELETED from the watch), the writes (create, replace guarded by resourceVersion,
// server-side apply, upsert, delete), and the event recorder (one Event counted twice).
import { KUBECONFIG, kubectl, requireCluster } from '../support/cluster';
import { runScenario } from './kube/run-driver';
import { createNamespace, uniqueName } from './namespaces';

const run = uniqueName('kube-res');

beforeAll(() => requireCluster());

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the driver's JSON, asserted on
async function scenario(name: string): Promise<Record<string, any>> {
  const namespace = await createNamespace(`${run}-${name}`);
  return { namespace, ...(await runScenario(name, { kubeconfig: KUBECONFIG, namespace })) };
}

it('resolves kinds to their plural and scope through discovery, a CRD installed later too', async () => {
  const r = await scenario('discovery');
  expect(r.pod).toMatchObject({
    group: '',
    version: 'v1',
    kind: 'Pod',
    plural: 'pods',
    namespaced: true,
    apiVersion: 'v1',
    verbs: expect.arrayContaining(['list', 'watch']),
  });
  expect(r.namespaceKind).toMatchObject({ plural: 'namespaces', namespaced: false });
  expect(r.deployment).toMatchObject({ plural: 'deployments', apiVersion: 'apps/v1' });
  expect(r.crd).toMatchObject({ plural: 'customresourcedefinitions', namespaced: false });
  expect(r.noSuchKind).toBeNull();
  expect(r.noSuchGroup).toBeNull();
  expect(r.corePlurals).toContain('configmaps');
  expect(r.corePlurals.filter((p: string) => p.includes('/'))).toEqual([]); // no pods/status
  expect(r.widgetBefore).toBeNull();
  expect(r.widgetAfter).toMatchObject({
    plural: 'widgets',
    namespaced: false,
    apiVersion: `${r.namespace}.e2e.palisade.dev/v1`,
  });
});

it('lists page by page with limit and continue, objects as the apiserver sent them', async () => {
  const r = await scenario('pages');
  const pages = r.pages as string[][];
  // Seven ConfigMaps (no controller here adds kube-root-ca.crt), three to a page.
  expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
  expect(pages.flat().sort()).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `page-${i}`));
  expect(r.resourceVersion).toMatch(/^\d+$/);
  expect(r.firstPage.continue).toBeTruthy();
  expect(r.firstPage.items).toHaveLength(1);
  // Raw JSON: kind and apiVersion put back on list items, timestamps still RFC 3339 strings.
  expect(r.firstPage.items[0]).toMatchObject({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    data: { i: '0' },
  });
  expect(r.firstPage.items[0].metadata.creationTimestamp).toMatch(
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
  );
});

it('a Reflector lists a kind page by page, then hands over its changes from the watch', async () => {
  const r = await scenario('reflector');
  expect(r.listed).toEqual(['before']);
  expect(r.events).toEqual(['ADDED new {}', 'MODIFIED new {"k":"v"}', 'DELETED new {"k":"v"}']);
});

it('writes: replace guarded by resourceVersion, apply, upsert, delete says whether it was there', async () => {
  const r = await scenario('writes');
  expect(r).toMatchObject({
    replaced: { a: '2' },
    staleReplace: 409,
    applied: { b: '3' },
    upserted: { c: '4' },
    created: { d: '5' },
    deleted: true,
    deletedAgain: false,
    getDeleted: null,
    invalidCreate: 422,
  });
});

it('records an Event on an object, and the same event again as count 2 on it', async () => {
  const r = await scenario('events');
  const got = await kubectl([
    'get',
    'events',
    '-n',
    r.namespace,
    '-o',
    'json',
    '--field-selector',
    'involvedObject.name=evented',
  ]);
  const items = JSON.parse(got.stdout).items;
  expect(items).toHaveLength(1);
  expect(items[0]).toMatchObject({
    type: 'Warning',
    reason: 'PolicyViolation',
    message: 'privileged is not allowed',
    count: 2,
    source: { component: 'palisade-e2e', host: 'e2e-0' },
    involvedObject: { kind: 'ConfigMap', name: 'evented', namespace: r.namespace, uid: r.uid },
  });
});
