// data.inventory in Gatekeeper's layout, the fields the webhook drops, and the cap.
import { Inventory, inventoryOfDocuments, stripObject } from '../../../src/gatekeeper/inventory';
import type { KubeObject } from '../../../src/policy/request';
import { parseDocuments } from '../../../src/policy/source/yaml';

/** The inventory as nested records, for reading a path of it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON tree read by path
const tree = (inv: Inventory): any => inv.toValue();

const obj = (apiVersion: string, kind: string, name: string, namespace?: string): KubeObject =>
  ({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } }) as KubeObject;

describe('layout', () => {
  it('files cluster-scoped objects under cluster[gv][kind][name] and namespaced ones under namespace[ns][gv][kind][name]', () => {
    const inv = new Inventory({ maxObjects: 10, strip: false });
    inv.put(obj('v1', 'Namespace', 'team-a'));
    inv.put(obj('networking.k8s.io/v1', 'Ingress', 'shop', 'web'));
    inv.put(obj('apps/v1', 'Deployment', 'api', 'web'));
    expect(inv.toValue()).toEqual({
      cluster: { v1: { Namespace: { 'team-a': obj('v1', 'Namespace', 'team-a') } } },
      namespace: {
        web: {
          'networking.k8s.io/v1': {
            Ingress: { shop: obj('networking.k8s.io/v1', 'Ingress', 'shop', 'web') },
          },
          'apps/v1': { Deployment: { api: obj('apps/v1', 'Deployment', 'api', 'web') } },
        },
      },
    });
  });

  it('replaces an object of the same identity and removes one', () => {
    const inv = new Inventory({ maxObjects: 10, strip: false });
    expect(inv.put(obj('v1', 'Service', 'a', 'ns'))).toBe('added');
    const changed = { ...obj('v1', 'Service', 'a', 'ns'), spec: { selector: { app: 'x' } } };
    expect(inv.put(changed)).toBe('updated');
    expect(inv.size).toBe(1);
    expect(tree(inv).namespace.ns.v1.Service.a.spec).toEqual({
      selector: { app: 'x' },
    });
    expect(inv.remove({ apiVersion: 'v1', kind: 'Service', namespace: 'ns', name: 'a' })).toBe(
      true,
    );
    expect(inv.remove({ apiVersion: 'v1', kind: 'Service', namespace: 'ns', name: 'a' })).toBe(
      false,
    );
    expect(inv.toValue()).toEqual({ cluster: {}, namespace: {} });
  });

  it('replaceKind drops the objects of that kind a relist no longer has, and keeps other kinds', () => {
    const inv = new Inventory({ maxObjects: 10, strip: false });
    inv.put(obj('v1', 'Service', 'gone', 'ns'));
    inv.put(obj('v1', 'ConfigMap', 'kept', 'ns'));
    inv.replaceKind('v1', 'Service', [obj('v1', 'Service', 'new', 'ns')]);
    expect(Object.keys(tree(inv).namespace.ns.v1.Service)).toEqual(['new']);
    expect(Object.keys(tree(inv).namespace.ns.v1.ConfigMap)).toEqual(['kept']);
  });

  it('bumps its version on every change, so the sync knows when to hand it over', () => {
    const inv = new Inventory({ maxObjects: 10, strip: false });
    const v0 = inv.version;
    inv.put(obj('v1', 'Service', 'a', 'ns'));
    expect(inv.version).toBeGreaterThan(v0);
    const v1 = inv.version;
    inv.remove({ apiVersion: 'v1', kind: 'Service', name: 'nope', namespace: 'ns' });
    expect(inv.version).toBe(v1);
  });

  it.each([
    [{ kind: 'Service', metadata: { name: 'a' } }, 'apiVersion'],
    [{ apiVersion: 'v1', metadata: { name: 'a' } }, 'kind'],
    [{ apiVersion: 'v1', kind: 'Service', metadata: {} }, 'metadata.name'],
  ])('refuses an object without %j naming %s', (o, field) => {
    const inv = new Inventory({ maxObjects: 10, strip: false });
    expect(() => inv.put(o as KubeObject)).toThrow(`an inventory object needs ${field}`);
  });
});

describe('stripObject (what the webhook keeps)', () => {
  it('drops managedFields, the last-applied annotation and status, and keeps the rest', () => {
    const full = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'a',
        namespace: 'ns',
        labels: { app: 'a' },
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{"huge":true}',
          team: 'x',
        },
        managedFields: [{ manager: 'kubectl' }],
        resourceVersion: '12',
      },
      spec: { selector: { app: 'a' } },
      status: { loadBalancer: {} },
    } as unknown as KubeObject;
    expect(stripObject(full)).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'a',
        namespace: 'ns',
        labels: { app: 'a' },
        annotations: { team: 'x' },
        resourceVersion: '12',
      },
      spec: { selector: { app: 'a' } },
    });
  });

  it('removes annotations altogether when last-applied was the only one', () => {
    const o = {
      ...obj('v1', 'Service', 'a', 'ns'),
      metadata: {
        name: 'a',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
      },
    } as KubeObject;
    expect(stripObject(o).metadata).toEqual({ name: 'a' });
  });

  it('is what the inventory keeps when strip is on', () => {
    const inv = new Inventory({ maxObjects: 10, strip: true });
    inv.put({ ...obj('v1', 'Service', 'a', 'ns'), status: { x: 1 } } as KubeObject);
    expect(tree(inv).namespace.ns.v1.Service.a).toEqual(obj('v1', 'Service', 'a', 'ns'));
  });
});

describe('the cap (maxObjects)', () => {
  it('drops new objects past it, counts them, and calls onFull once until it has room again', () => {
    const full: string[] = [];
    const inv = new Inventory({ maxObjects: 2, strip: false, onFull: (r) => full.push(r.name) });
    inv.put(obj('v1', 'Service', 'a', 'ns'));
    inv.put(obj('v1', 'Service', 'b', 'ns'));
    expect(inv.put(obj('v1', 'Service', 'c', 'ns'))).toBe('dropped');
    expect(inv.put(obj('v1', 'Service', 'd', 'ns'))).toBe('dropped');
    expect(inv.size).toBe(2);
    expect(inv.dropped).toBe(2);
    expect(full).toEqual(['c']);
    // An update of a kept object is not a new object: it is taken.
    expect(inv.put({ ...obj('v1', 'Service', 'a', 'ns'), spec: {} } as KubeObject)).toBe('updated');
    inv.remove({ apiVersion: 'v1', kind: 'Service', namespace: 'ns', name: 'b' });
    expect(inv.put(obj('v1', 'Service', 'e', 'ns'))).toBe('added');
    expect(inv.put(obj('v1', 'Service', 'f', 'ns'))).toBe('dropped');
    expect(full).toEqual(['c', 'f']);
  });

  it('replaceKind reports how many of the list the cap dropped', () => {
    const inv = new Inventory({ maxObjects: 2, strip: false });
    const list = ['a', 'b', 'c'].map((n) => obj('v1', 'Service', n, 'ns'));
    expect(inv.replaceKind('v1', 'Service', list)).toBe(1);
    expect(inv.size).toBe(2);
  });
});

describe('inventoryOfDocuments (palisade eval --inventory)', () => {
  it('keeps objects whole and reports an object without a name with its file and line', () => {
    const text =
      'apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: ns}\nstatus: {x: 1}\n---\napiVersion: v1\nkind: Service\nmetadata: {}\n';
    const { documents } = parseDocuments('inv.yaml', text);
    const { json, problems } = inventoryOfDocuments(documents);
    expect(JSON.parse(json).namespace.ns.v1.Service.a.status).toEqual({ x: 1 });
    expect(problems).toEqual([
      { source: 'inv.yaml', line: 6, message: 'an inventory object needs metadata.name' },
    ]);
  });
});
