// src/kube run as a process against the real apiserver, for test/e2e/kube-*.test.ts: jest
// cannot load @kubernetes/client-node (an ES module) in its own module system, so each scenario
// runs here, in plain Node, on the compiled dist/src/kube, and prints what it saw as JSON lines
// ({"event": ...} while it runs, {"result": ...} at the end). The tests assert on those lines
// and on the cluster through kubectl.
//   node dist/test/e2e/kube/driver.js <scenario> '<json arguments>'
import { Writable } from 'node:stream';
import pino from 'pino';
import { apiStatus } from '../../../src/kube/client';
import { eventRecorder, eventTarget } from '../../../src/kube/event-recorder';
import { electLeader } from '../../../src/kube/lease-lock';
import { Reflector, resourceSource } from '../../../src/kube/reflector';
import {
  openKubeResources,
  type KubeObject,
  type KubeResources,
} from '../../../src/kube/resources';

interface Args {
  kubeconfig: string;
  namespace: string;
  [k: string]: unknown;
}

const quiet = pino({ level: 'silent' }, new Writable({ write: (_c, _e, cb) => cb() }));
const emit = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const statusOf = (p: Promise<unknown>) =>
  p.then(
    () => 200,
    (err: unknown) => apiStatus(err) ?? -1,
  );

const core = (kind: string) => ({ group: '', version: 'v1', kind });

function cm(namespace: string, name: string, data: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

async function configMaps(kube: KubeResources) {
  const r = await kube.resolve(core('ConfigMap'));
  if (!r) throw new Error('ConfigMap is not served');
  return r;
}

/** Polls `check` every 100 ms until true, at most `ms`. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const scenarios: Record<string, (kube: KubeResources, a: Args) => Promise<unknown>> = {
  async discovery(kube, a) {
    const group = `${a.namespace}.e2e.palisade.dev`;
    const widget = { group, version: 'v1', kind: 'Widget' };
    const before = await kube.resolve(widget);
    const crds = await kube.resolve({
      group: 'apiextensions.k8s.io',
      version: 'v1',
      kind: 'CustomResourceDefinition',
    });
    await kube.create(crds!, {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: 'Cluster',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            },
          },
        ],
      },
    });
    await until(
      'the Widget kind to be served',
      async () => (await kube.resolve(widget)) !== undefined,
    );
    const after = await kube.resolve(widget);
    await kube.delete(crds!, `widgets.${group}`);
    return {
      pod: await kube.resolve(core('Pod')),
      namespaceKind: await kube.resolve(core('Namespace')),
      deployment: await kube.resolve({ group: 'apps', version: 'v1', kind: 'Deployment' }),
      noSuchKind:
        (await kube.resolve({ group: 'apps', version: 'v1', kind: 'NoSuchKind' })) ?? null,
      noSuchGroup:
        (await kube.resolve({ group: 'nosuch.example.com', version: 'v1', kind: 'X' })) ?? null,
      corePlurals: (await kube.resourcesOf('', 'v1')).map((r) => r.plural),
      widgetBefore: before ?? null,
      widgetAfter: after,
      crd: crds,
    };
  },

  async pages(kube, a) {
    const r = await configMaps(kube);
    for (let i = 0; i < 7; i++)
      await kube.create(r, cm(a.namespace, `page-${i}`, { i: String(i) }));
    const pages: string[][] = [];
    const { resourceVersion } = await kube.listAll(r, {
      namespace: a.namespace,
      limit: 3,
      onPage: (items) => void pages.push(items.map((o) => o.metadata!.name!)),
    });
    const first = await kube.listPage(r, { namespace: a.namespace, limit: 1 });
    return { pages, resourceVersion, firstPage: first };
  },

  async reflector(kube, a) {
    const r = await configMaps(kube);
    const ns = a.namespace;
    await kube.create(r, cm(ns, 'before'));
    const listed: string[] = [];
    const events: string[] = [];
    const reflector = new Reflector(
      resourceSource(kube, r, { namespace: ns, pageSize: 1 }),
      {
        onListPage: (items) => void listed.push(...items.map((o) => o.metadata!.name!)),
        onListDone: () => undefined,
        onEvent: (type, o) =>
          void events.push(`${type} ${o.metadata!.name} ${JSON.stringify(o.data ?? {})}`),
      },
      quiet,
      { name: 'configmaps' },
    );
    reflector.start();
    await reflector.synced;
    await kube.create(r, cm(ns, 'new'));
    await kube.patch(r, 'new', ns, { data: { k: 'v' } }, { type: 'merge' });
    await kube.delete(r, 'new', ns);
    await until('three watch events', () => events.length >= 3);
    reflector.stop();
    return { listed, events };
  },

  async writes(kube, a) {
    const r = await configMaps(kube);
    const ns = a.namespace;
    const made = await kube.create(r, cm(ns, 'write', { a: '1' }));
    const replaced = await kube.replace(r, { ...made, data: { a: '2' } });
    const staleReplace = await statusOf(kube.replace(r, { ...made, data: { a: 'stale' } }));
    const applied = await kube.patch(r, 'write', ns, cm(ns, 'write', { b: '3' }), {
      type: 'apply',
      fieldManager: 'palisade-e2e',
      force: true,
    });
    const upserted = await kube.upsert(r, cm(ns, 'write', { c: '4' }));
    const created = await kube.upsert(r, cm(ns, 'upserted', { d: '5' }));
    return {
      replaced: replaced.data,
      staleReplace,
      applied: applied.data,
      upserted: upserted.data,
      created: (await kube.get(r, 'upserted', ns))?.data,
      createdVersion: created.metadata?.resourceVersion,
      deleted: await kube.delete(r, 'write', ns),
      deletedAgain: await kube.delete(r, 'write', ns),
      getDeleted: await kube.get(r, 'write', ns),
      invalidCreate: await statusOf(kube.create(r, cm(ns, 'Not_A_Name'))),
    };
  },

  async events(kube, a) {
    const target = await kube.create(await configMaps(kube), cm(a.namespace, 'evented'));
    const recorder = await eventRecorder({
      kubeconfig: a.kubeconfig,
      component: 'palisade-e2e',
      instance: 'e2e-0',
      logger: quiet,
    });
    recorder.record(eventTarget(target), 'Warning', 'PolicyViolation', 'privileged is not allowed');
    recorder.record(eventTarget(target), 'Warning', 'PolicyViolation', 'privileged is not allowed');
    await recorder.flush();
    return { uid: target.metadata?.uid };
  },

  /** A candidate until SIGTERM (stop: release, then exit 0); SIGKILL leaves the lease held. */
  async elect(_kube, a) {
    const t = a.timings as { duration: number; renewDeadline: number; retryPeriod: number };
    const elector = await electLeader({
      kubeconfig: a.kubeconfig,
      name: String(a.lease),
      namespace: a.namespace,
      identity: String(a.identity),
      leaseDurationSeconds: t.duration,
      renewDeadlineSeconds: t.renewDeadline,
      retryPeriodSeconds: t.retryPeriod,
      logger: quiet,
      onStartedLeading: () => emit({ event: 'started' }),
      onStoppedLeading: () => emit({ event: 'stopped' }),
      onNewLeader: (id) => emit({ event: 'leader', identity: id }),
    });
    await new Promise<void>((resolve) => process.once('SIGTERM', resolve));
    await elector.stop();
    return { stopped: true };
  },
};

async function main(): Promise<number> {
  const [name, json] = process.argv.slice(2);
  const scenario = name ? scenarios[name] : undefined;
  if (!scenario || !json) {
    process.stderr.write(`usage: driver.js <${Object.keys(scenarios).join('|')}> '<json>'\n`);
    return 2;
  }
  const args = JSON.parse(json) as Args;
  const kube = await openKubeResources(args.kubeconfig);
  emit({ result: await scenario(kube, args) });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
