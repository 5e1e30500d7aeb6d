// resources.ts over a scripted transport: the paths it asks for (core and named groups,
// namespaced or not, subresources, query parameters), discovery cached and read again for a
// kind it did not know, a list that starts over when its continue token expires, upsert's
// retry on a conflict, delete of an absent object. The real apiserver: kube-resources.test.ts.
import {
  KubeApiError,
  kubeResourcesOver,
  resourcePath,
  type ResourceInfo,
  type Transport,
} from '../../../src/kube/resources';

const pods: ResourceInfo = {
  group: '',
  version: 'v1',
  kind: 'Pod',
  plural: 'pods',
  namespaced: true,
  verbs: [],
  apiVersion: 'v1',
};
const reports: ResourceInfo = {
  group: 'openreports.io',
  version: 'v1alpha1',
  kind: 'ClusterReport',
  plural: 'clusterreports',
  namespaced: false,
  verbs: [],
  apiVersion: 'openreports.io/v1alpha1',
};

type Reply = unknown | ((body: unknown) => unknown);

function scripted(replies: Record<string, Reply[]>) {
  const calls: string[] = [];
  const transport: Transport = {
    async call(method, path, body, contentType) {
      const key = `${method} ${path}`;
      calls.push(contentType && method === 'PATCH' ? `${key} (${contentType})` : key);
      const queue = replies[key];
      if (!queue || queue.length === 0) throw new KubeApiError(404, { message: 'not found' }, key);
      const next = queue.length > 1 ? queue.shift() : queue[0];
      if (next instanceof Error) throw next;
      return typeof next === 'function' ? (next as (b: unknown) => unknown)(body) : next;
    },
  };
  const kube = kubeResourcesOver(transport, async () => ({ abort: () => undefined }));
  return { kube, calls };
}

it.each([
  [pods, 'team-a', 'web', undefined, '/api/v1/namespaces/team-a/pods/web'],
  [pods, undefined, undefined, undefined, '/api/v1/pods'],
  [pods, 'team-a', 'web', 'status', '/api/v1/namespaces/team-a/pods/web/status'],
  [reports, 'ignored', 'r', undefined, '/apis/openreports.io/v1alpha1/clusterreports/r'],
])('resourcePath(%#) → %s', (r, ns, name, sub, path) => {
  expect(resourcePath(r, ns, name, sub)).toBe(path);
});

it('resolves through discovery, caches it, and reads it again for a kind it does not know', async () => {
  const t = scripted({
    'GET /apis/openreports.io/v1alpha1': [
      { resources: [{ name: 'reports', kind: 'Report', namespaced: true, verbs: ['list'] }] },
      {
        resources: [
          { name: 'reports', kind: 'Report', namespaced: true, verbs: ['list'] },
          { name: 'reports/status', kind: 'Report', namespaced: true },
          { name: 'clusterreports', kind: 'ClusterReport', namespaced: false },
        ],
      },
    ],
  });
  const gv = { group: 'openreports.io', version: 'v1alpha1' };
  expect(await t.kube.resolve({ ...gv, kind: 'Report' })).toEqual({
    ...gv,
    kind: 'Report',
    plural: 'reports',
    namespaced: true,
    verbs: ['list'],
    apiVersion: 'openreports.io/v1alpha1',
  });
  await t.kube.resolve({ ...gv, kind: 'Report' });
  expect(t.calls).toHaveLength(1);
  expect(await t.kube.resolve({ ...gv, kind: 'ClusterReport' })).toMatchObject({
    plural: 'clusterreports',
    namespaced: false,
  });
  expect((await t.kube.resourcesOf(gv.group, gv.version)).map((r) => r.plural)).toEqual([
    'reports',
    'clusterreports',
  ]);
  expect(await t.kube.resolve({ group: 'absent.example.com', version: 'v1', kind: 'X' })).toBe(
    undefined,
  );
});

it('lists page by page and starts over when the continue token has expired', async () => {
  const gone = new KubeApiError(410, { message: 'continue token expired' }, 'list');
  const t = scripted({
    'GET /api/v1/pods?limit=2': [
      {
        items: [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }],
        metadata: { continue: 'c1' },
      },
    ],
    'GET /api/v1/pods?limit=2&continue=c1': [
      gone,
      { items: [{ metadata: { name: 'c' } }], metadata: { resourceVersion: '9' } },
    ],
  });
  const pages: string[][] = [];
  let restarts = 0;
  const { resourceVersion } = await t.kube.listAll(pods, {
    limit: 2,
    onPage: (items) => void pages.push(items.map((o) => `${o.kind} ${o.metadata!.name}`)),
    onRestart: () => restarts++,
  });
  expect(resourceVersion).toBe('9');
  expect(restarts).toBe(1);
  expect(pages).toEqual([['Pod a', 'Pod b'], ['Pod a', 'Pod b'], ['Pod c']]);
});

it('upsert reads again and retries when another writer got in between (409)', async () => {
  const conflict = new KubeApiError(409, { message: 'the object has been modified' }, 'put');
  const t = scripted({
    'GET /apis/openreports.io/v1alpha1/clusterreports/r': [
      { metadata: { name: 'r', resourceVersion: '1' } },
      { metadata: { name: 'r', resourceVersion: '2' } },
    ],
    'PUT /apis/openreports.io/v1alpha1/clusterreports/r': [conflict, (body: unknown) => body],
  });
  const written = await t.kube.upsert(reports, { metadata: { name: 'r' }, summary: { pass: 1 } });
  expect(written).toEqual({ metadata: { name: 'r', resourceVersion: '2' }, summary: { pass: 1 } });
  expect(t.calls).toEqual([
    'GET /apis/openreports.io/v1alpha1/clusterreports/r',
    'PUT /apis/openreports.io/v1alpha1/clusterreports/r',
    'GET /apis/openreports.io/v1alpha1/clusterreports/r',
    'PUT /apis/openreports.io/v1alpha1/clusterreports/r',
  ]);
});

it('patches with the content type of its kind, and server-side apply needs a field manager', async () => {
  const t = scripted({
    'PATCH /api/v1/namespaces/a/pods/web': [{}],
    'PATCH /api/v1/namespaces/a/pods/web?fieldManager=palisade&force=true': [{}],
  });
  await t.kube.patch(pods, 'web', 'a', { metadata: { labels: { x: 'y' } } }, { type: 'merge' });
  await t.kube.patch(
    pods,
    'web',
    'a',
    {},
    { type: 'apply', fieldManager: 'palisade', force: true },
  );
  await expect(t.kube.patch(pods, 'web', 'a', {}, { type: 'apply' })).rejects.toThrow(
    /fieldManager is required/,
  );
  expect(t.calls).toEqual([
    'PATCH /api/v1/namespaces/a/pods/web (application/merge-patch+json)',
    'PATCH /api/v1/namespaces/a/pods/web?fieldManager=palisade&force=true (application/apply-patch+yaml)',
  ]);
});

it('delete says false for an object already gone; other failures carry their status', async () => {
  const t = scripted({
    'DELETE /api/v1/namespaces/a/pods/forbidden': [
      new KubeApiError(403, { message: 'no' }, 'delete'),
    ],
  });
  expect(await t.kube.delete(pods, 'gone', 'a')).toBe(false);
  await expect(t.kube.delete(pods, 'forbidden', 'a')).rejects.toMatchObject({ code: 403 });
  expect(await t.kube.get(pods, 'gone', 'a')).toBeNull();
});
