// The webhook's sync on a stand-in for the apiserver's list and watch (its real behaviour is
// covered by test/e2e/gatekeeper-inventory.test.ts): a paged list becomes ONE setInventory, a
// burst of watch events ONE more, deletions leave, Gatekeeper's Config syncOnly adds kinds, and
// the cap drops and counts.
import pino from 'pino';
import { InventorySync, syncOnlyOf } from '../../../src/gatekeeper/sync';
import type {
  GroupVersionKind,
  KubeObject,
  KubeResources,
  ResourceInfo,
  WatchEventType,
} from '../../../src/kube/resources';

type OnEvent = (type: WatchEventType, obj: KubeObject) => void;

/** list pages and a watch per kind; events are pushed by the test. */
class FakeKube {
  readonly objects = new Map<string, KubeObject[]>();
  readonly watchers = new Map<string, OnEvent>();
  /** Kinds whose list is refused (403), as without RBAC. */
  readonly forbidden = new Set<string>();
  private watching = new Map<string, () => void>();
  private waiters: (() => void)[] = [];

  info(k: GroupVersionKind): ResourceInfo {
    const apiVersion = k.group ? `${k.group}/${k.version}` : k.version;
    const plural = `${k.kind.toLowerCase()}s`;
    return {
      ...k,
      apiVersion,
      plural,
      namespaced: k.kind !== 'Namespace',
      verbs: ['list', 'watch'],
    };
  }

  api(): KubeResources {
    return {
      resolve: async (k: GroupVersionKind) => (this.objects.has(k.kind) ? this.info(k) : undefined),
      listPage: async (r: ResourceInfo, o?: { continue?: string; limit?: number }) => {
        if (this.forbidden.has(r.kind)) throw Object.assign(new Error('forbidden'), { code: 403 });
        const all = this.objects.get(r.kind) ?? [];
        const from = Number(o?.continue ?? 0);
        const to = from + (o?.limit ?? 500);
        // List items come without apiVersion and kind, as the apiserver sends them.
        const items = all.slice(from, to).map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
        return {
          items,
          resourceVersion: '1',
          ...(to < all.length ? { continue: String(to) } : {}),
        };
      },
      watch: async (
        r: ResourceInfo,
        _o: unknown,
        onEvent: OnEvent,
        done: (e?: unknown) => void,
      ) => {
        this.watchers.set(r.kind, onEvent);
        this.watching.set(r.kind, () => done());
        for (const w of this.waiters.splice(0)) w();
        return { abort: () => this.watching.get(r.kind)?.() };
      },
    } as unknown as KubeResources;
  }

  /** Resolves once a watch of `kind` runs. */
  async watchOf(kind: string): Promise<OnEvent> {
    while (!this.watchers.has(kind)) await new Promise<void>((r) => this.waiters.push(r));
    return this.watchers.get(kind)!;
  }
}

const ingress = (name: string, host: string, ns = 'web'): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name, namespace: ns, managedFields: [{ manager: 'kubectl' }] },
  spec: { rules: [{ host }] },
});

const INGRESS = { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' };
const logger = pino({ level: 'silent' });

function target() {
  const calls: string[] = [];
  return {
    calls,
    last: () => JSON.parse(calls.at(-1)!),
    setInventory: async (json: string) => void calls.push(json),
  };
}

let sync: InventorySync | undefined;
afterEach(() => sync?.stop());

/** A started sync of Ingresses (and of Gatekeeper's Config unless `gatekeeperConfig` is null). */
async function startSync(
  kube: FakeKube,
  t: ReturnType<typeof target>,
  o: Partial<ConstructorParameters<typeof InventorySync>[0]> = {},
): Promise<InventorySync> {
  sync = new InventorySync({
    kube: kube.api(),
    target: t,
    sync: { kinds: [INGRESS], maxObjects: 10_000 },
    logger,
    gatekeeperConfig: null,
    ...o,
  });
  await sync.start();
  return sync;
}

it("hands a paged list over as one setInventory, stripped, in Gatekeeper's layout", async () => {
  const kube = new FakeKube();
  kube.objects.set(
    'Ingress',
    Array.from({ length: 1200 }, (_, i) => ingress(`i${i}`, `h${i}`)),
  );
  const t = target();
  await startSync(kube, t);
  expect(t.calls).toHaveLength(1);
  const ingresses = t.last().namespace.web['networking.k8s.io/v1'].Ingress;
  expect(Object.keys(ingresses)).toHaveLength(1200);
  expect(ingresses.i7).toEqual({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'i7', namespace: 'web' },
    spec: { rules: [{ host: 'h7' }] },
  });
});

it('coalesces a burst of watch events into one more setInventory; a deletion leaves', async () => {
  const kube = new FakeKube();
  kube.objects.set('Ingress', [ingress('a', 'a.example.com')]);
  const t = target();
  const s = await startSync(kube, t);
  const push = await kube.watchOf('Ingress');
  for (let i = 0; i < 50; i++) push('ADDED', ingress(`n${i}`, `n${i}.example.com`));
  push('DELETED', ingress('a', 'a.example.com'));
  await s.flushNow();
  expect(t.calls).toHaveLength(2);
  const names = Object.keys(t.last().namespace.web['networking.k8s.io/v1'].Ingress);
  expect(names).toHaveLength(50);
  expect(names).not.toContain('a');
  // Nothing changed: nothing handed over.
  await s.flushNow();
  expect(t.calls).toHaveLength(2);
});

it('drops objects past maxObjects and counts them', async () => {
  const kube = new FakeKube();
  kube.objects.set(
    'Ingress',
    ['a', 'b', 'c'].map((n) => ingress(n, n)),
  );
  const t = target();
  const dropped: number[] = [];
  const sizes: number[] = [];
  const s = await startSync(kube, t, {
    sync: { kinds: [INGRESS], maxObjects: 2 },
    onDropped: (n) => dropped.push(n),
    onSize: (n) => sizes.push(n),
  });
  expect(dropped).toEqual([1]);
  expect(sizes).toEqual([2]);
  const push = await kube.watchOf('Ingress');
  push('ADDED', ingress('d', 'd'));
  await s.flushNow();
  expect(dropped).toEqual([1, 1]);
});

it("syncs the kinds of Gatekeeper's Config syncOnly too", async () => {
  const kube = new FakeKube();
  kube.objects.set('Config', [
    {
      apiVersion: 'config.gatekeeper.sh/v1alpha1',
      kind: 'Config',
      metadata: { name: 'config', namespace: 'gatekeeper-system' },
      spec: { sync: { syncOnly: [{ group: '', version: 'v1', kind: 'Namespace' }] } },
    },
  ]);
  kube.objects.set('Namespace', [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { owner: 'a' } } },
  ]);
  kube.objects.set('Ingress', [ingress('a', 'a')]);
  const t = target();
  const s = await startSync(kube, t, {
    sync: { kinds: [INGRESS], maxObjects: 100 },
    gatekeeperConfig: undefined,
  });
  expect(s.kinds()).toEqual([INGRESS, { group: '', version: 'v1', kind: 'Namespace' }]);
  await kube.watchOf('Namespace');
  await s.flushNow();
  expect(t.last().cluster.v1.Namespace['team-a'].metadata.labels).toEqual({ owner: 'a' });
});

it("without permission to read Gatekeeper's Config, syncs the configured kinds and says why", async () => {
  const kube = new FakeKube();
  kube.objects.set('Config', []);
  kube.forbidden.add('Config');
  kube.objects.set('Ingress', [ingress('a', 'a')]);
  const t = target();
  const warnings: string[] = [];
  const log = pino(
    { level: 'warn' },
    { write: (line: string) => void warnings.push(JSON.parse(line).msg) },
  );
  await startSync(kube, t, {
    sync: { kinds: [INGRESS], maxObjects: 100 },
    logger: log,
    gatekeeperConfig: undefined,
  });
  expect(Object.keys(t.last().namespace.web['networking.k8s.io/v1'].Ingress)).toEqual(['a']);
  expect(warnings).toEqual([
    "cannot read Gatekeeper's Config objects in gatekeeper-system: only gatekeeper.sync.kinds are synced into data.inventory",
  ]);
});

it("syncOnlyOf reads Gatekeeper's list and skips malformed entries", () => {
  expect(
    syncOnlyOf({
      spec: {
        sync: {
          syncOnly: [
            { group: 'apps', version: 'v1', kind: 'Deployment' },
            { version: 'v1', kind: 'Service' },
            { group: 'x', kind: 'NoVersion' },
            'junk',
          ],
        },
      },
    }),
  ).toEqual([
    { group: 'apps', version: 'v1', kind: 'Deployment' },
    { group: '', version: 'v1', kind: 'Service' },
  ]);
  expect(syncOnlyOf(undefined)).toEqual([]);
});
