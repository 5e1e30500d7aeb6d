// The status writes of several replicas: each replaces only its own byPod entry. The conflict
// path (another pod wrote between the read and the write) cannot be produced on demand against
// a real apiserver, so it runs here against a client that answers 409 the way the apiserver
// does for a stale resourceVersion; test/e2e/gatekeeper.test.ts writes next to a real entry.
import type { CustomObject } from '../../../../src/kube/custom-resources';
import {
  constraintEntry,
  templateEntry,
  withByPod,
  writeByPod,
} from '../../../../src/gatekeeper/controller/status';

const REF = { group: 'templates.gatekeeper.sh', version: 'v1', plural: 'constrainttemplates' };

describe('withByPod', () => {
  it("replaces the entry of the same id and keeps every other pod's", () => {
    const status = {
      created: true,
      byPod: [
        { id: 'a', observedGeneration: 1 },
        { id: 'b', observedGeneration: 1 },
      ],
    };
    expect(withByPod(status, { id: 'b', observedGeneration: 2 })).toEqual({
      created: true,
      byPod: [
        { id: 'a', observedGeneration: 1 },
        { id: 'b', observedGeneration: 2 },
      ],
    });
    expect(withByPod(undefined, { id: 'c' }, { created: false })).toEqual({
      created: false,
      byPod: [{ id: 'c' }],
    });
  });

  it('entries as Gatekeeper writes them', () => {
    expect(templateEntry('p', 3, [])).toEqual({ id: 'p', observedGeneration: 3 });
    expect(
      templateEntry('p', 3, [
        { code: 'rego_parse_error', message: 'm', location: 'spec.targets[0].rego:4' },
      ]),
    ).toEqual({
      id: 'p',
      observedGeneration: 3,
      errors: [{ code: 'rego_parse_error', message: 'm', location: 'spec.targets[0].rego:4' }],
    });
    expect(constraintEntry('p', 1, [])).toEqual({ id: 'p', observedGeneration: 1, enforced: true });
    expect(constraintEntry('p', 1, [{ code: 'invalid_constraint', message: 'm' }])).toEqual({
      id: 'p',
      observedGeneration: 1,
      enforced: false,
      errors: [{ code: 'invalid_constraint', message: 'm' }],
    });
  });
});

/** An object store with resourceVersions; `race` writes another pod's entry before a PUT. */
function store(initial: CustomObject, race?: () => CustomObject) {
  let obj = { ...initial, metadata: { ...initial.metadata, resourceVersion: '1' } };
  let raced = false;
  const puts: CustomObject[] = [];
  return {
    puts,
    current: () => obj,
    client: {
      get: async () => structuredClone(obj),
      replaceStatus: async (_ref: unknown, body: CustomObject) => {
        if (race && !raced) {
          raced = true;
          obj = { ...race(), metadata: { ...obj.metadata, resourceVersion: '2' } };
        }
        if (body.metadata?.resourceVersion !== obj.metadata.resourceVersion) {
          throw Object.assign(new Error('Conflict'), { code: 409 });
        }
        puts.push(body);
        obj = {
          ...body,
          metadata: {
            ...obj.metadata,
            resourceVersion: String(Number(obj.metadata.resourceVersion) + 1),
          },
        };
        return obj;
      },
    },
  };
}

describe('writeByPod', () => {
  const base: CustomObject = {
    metadata: { name: 't' },
    status: { byPod: [{ id: 'a', observedGeneration: 1 }] },
  };

  it('reads again after a conflict, so the entry another pod wrote meanwhile stays', async () => {
    const s = store(base, () => ({
      ...base,
      status: {
        byPod: [
          { id: 'a', observedGeneration: 1 },
          { id: 'b', observedGeneration: 1 },
        ],
      },
    }));
    expect(
      await writeByPod(s.client, REF, 't', { id: 'c', observedGeneration: 1 }, { created: true }),
    ).toBe(true);
    expect(s.current().status).toEqual({
      created: true,
      byPod: [
        { id: 'a', observedGeneration: 1 },
        { id: 'b', observedGeneration: 1 },
        { id: 'c', observedGeneration: 1 },
      ],
    });
    expect(s.puts).toHaveLength(1);
  });

  it('writes nothing when the status already says so (from the watched object, without a read)', async () => {
    const s = store(base);
    const get = jest.spyOn(s.client, 'get');
    expect(await writeByPod(s.client, REF, 't', { id: 'a', observedGeneration: 1 }, {}, base)).toBe(
      true,
    );
    expect(get).not.toHaveBeenCalled();
    expect(await writeByPod(s.client, REF, 't', { id: 'a', observedGeneration: 1 })).toBe(true);
    expect(s.puts).toHaveLength(0);
  });

  it('compares as the apiserver returns it: keys sorted, undefined fields absent', async () => {
    const stored: CustomObject = {
      metadata: { name: 't' },
      status: { byPod: [{ enforced: true, id: 'a', observedGeneration: 1 }] },
    };
    const s = store(stored);
    const entry = { id: 'a', observedGeneration: 1, enforced: true, errors: undefined };
    expect(await writeByPod(s.client, REF, 't', entry)).toBe(true);
    expect(s.puts).toHaveLength(0);
  });

  it('returns false for an object deleted meanwhile', async () => {
    const client = { get: async () => undefined, replaceStatus: async () => ({}) };
    expect(await writeByPod(client, REF, 'gone', { id: 'a' })).toBe(false);
  });
});
