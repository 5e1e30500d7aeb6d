// data.inventory on the real engine: a referential template (unique ingress host, written in the
// library's style) compiled by the real opa, fed by setInventory through PolicyRuntime to every
// worker thread (workers: 2), kept across a config reload, a constraint change and a bundle
// reload; and by `palisade eval --inventory`.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handleAdmission } from '../../src/admission/handler';
import { validateConfig } from '../../src/config/load';
import { compileTemplates } from '../../src/gatekeeper/compile';
import { parseConstraint } from '../../src/gatekeeper/constraint';
import { Inventory } from '../../src/gatekeeper/inventory';
import { constraintPolicies } from '../../src/gatekeeper/policies';
import { parseTemplate } from '../../src/gatekeeper/template';
import { Opa, pinnedOpaPath } from '../../src/policy/build/opa';
import { PolicyRuntime } from '../../src/policy/policy-runtime';
import type { KubeObject } from '../../src/policy/request';
import { resolveKind } from '../../src/policy/source/kinds';
import { manifestRequest } from '../../src/policy/source/manifest-request';
import { parseDocuments } from '../../src/policy/source/yaml';
import { palisade, ROOT } from './cli-run';

const DIR = join(ROOT, 'test/fixtures/gatekeeper/suites/passing/nested/unique-ingress-host');
const docs = (file: string) =>
  parseDocuments(file, readFileSync(join(DIR, file), 'utf8')).documents.map((d) => d.object);

let bundleDir: string;
let runtime: PolicyRuntime;
const template = parseTemplate(docs('template.yaml')[0], 'template.yaml');
const constraint = parseConstraint(
  docs('samples/constraint.yaml')[0],
  new Map([[template.kind, template]]),
  'constraint.yaml',
);
const config = (extra: object = {}) =>
  validateConfig('test', { bundle: bundleDir, evaluation: { workers: 2 }, ...extra });

beforeAll(async () => {
  bundleDir = join(mkdtempSync(join(tmpdir(), 'palisade-inventory-')), 'bundle');
  const out = await compileTemplates({
    opa: new Opa(pinnedOpaPath()),
    templates: [template],
    outDir: bundleDir,
  });
  expect(out.errors.size).toBe(0);
  runtime = await PolicyRuntime.start(config());
  expect(await runtime.setConstraints(constraintPolicies([constraint]))).toBe(true);
});
afterAll(() => runtime.close());

const shop = docs('samples/ingress-shop.yaml')[0] as KubeObject;
const review = () => {
  const kind = resolveKind('networking.k8s.io/v1', 'Ingress', new Map());
  const request = manifestRequest(shop, kind, { operation: 'CREATE', username: 'u', groups: [] });
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request } as const;
};
const inventoryOf = (objects: unknown[]) => {
  const inv = new Inventory({ maxObjects: 100_000, strip: true });
  for (const o of objects) inv.put(o as KubeObject);
  return inv.toJSON();
};
/** Eight decisions at once: with two workers busy in turn, both must hold the inventory. */
const decideMany = async () =>
  Promise.all(
    Array.from({ length: 8 }, () => runtime.use((s) => handleAdmission(review(), s))),
  ).then((ds) => ds.map((d) => d.outcome));

const TAKEN = 'ingress host shop.example.com is already used by ingress other/shop-copy';

it('without an inventory the host is free', async () => {
  expect(await decideMany()).toEqual(Array(8).fill('allow'));
});

it("setInventory reaches every worker: each decision denies with the template's message", async () => {
  await runtime.setInventory(inventoryOf(docs('samples/inventory-same-host.yaml')));
  const decisions = await Promise.all(
    Array.from({ length: 8 }, () => runtime.use((s) => handleAdmission(review(), s))),
  );
  for (const d of decisions) {
    expect(d.outcome).toBe('deny');
    expect(d.violations.map((v) => v.msg)).toEqual([TAKEN]);
    expect(d.review.response.status?.message).toContain(`[unique-ingress-host] ${TAKEN}`);
  }
});

it('keeps the inventory across a config reload, a constraint change and a bundle reload', async () => {
  expect(await runtime.reloadConfig(config({ logLevel: 'warn' }))).toBe(true);
  expect(await decideMany()).toEqual(Array(8).fill('deny'));
  expect(await runtime.setConstraints(constraintPolicies([constraint]))).toBe(true);
  expect(await decideMany()).toEqual(Array(8).fill('deny'));
  expect(await runtime.reloadBundle()).toBe(true);
  expect(await decideMany()).toEqual(Array(8).fill('deny'));
});

it('a new inventory replaces the previous one everywhere: the other host is no conflict', async () => {
  await runtime.setInventory(inventoryOf(docs('samples/inventory-other-hosts.yaml')));
  expect(await decideMany()).toEqual(Array(8).fill('allow'));
});

it('inline (workers: 0) evaluators take it too', async () => {
  const inline = await PolicyRuntime.start(config({ evaluation: { workers: 0 } }));
  try {
    expect(await inline.setConstraints(constraintPolicies([constraint]))).toBe(true);
    await inline.setInventory(inventoryOf(docs('samples/inventory-same-host.yaml')));
    const d = await inline.use((s) => handleAdmission(review(), s));
    expect(d.violations.map((v) => v.msg)).toEqual([TAKEN]);
  } finally {
    await inline.close();
  }
});

it.each([0, 2])(
  'an inventory over the memory cap is refused with PAL_ERR_WASM_MEMORY and the previous one stays (workers: %d)',
  async (workers) => {
    const small = await PolicyRuntime.start(config({ evaluation: { workers, maxMemoryMiB: 1 } }));
    try {
      expect(await small.setConstraints(constraintPolicies([constraint]))).toBe(true);
      await small.setInventory(inventoryOf(docs('samples/inventory-same-host.yaml')));
      const many = Array.from({ length: 3000 }, (_, i) => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `cm-${i}`, namespace: 'big' },
        data: { blob: 'x'.repeat(200) },
      }));
      await expect(small.setInventory(inventoryOf(many))).rejects.toMatchObject({
        code: 'PAL_ERR_WASM_MEMORY',
      });
      const d = await small.use((s) => handleAdmission(review(), s));
      expect(d.violations.map((v) => v.msg)).toEqual([TAKEN]);
    } finally {
      await small.close();
    }
  },
);

describe('palisade eval --inventory', () => {
  const args = (inventory: string) => [
    'eval',
    '-f',
    join(DIR, 'template.yaml'),
    '-f',
    join(DIR, 'samples/constraint.yaml'),
    '-f',
    join(DIR, 'samples/ingress-shop.yaml'),
    '--inventory',
    join(DIR, inventory),
  ];

  it("denies from the objects given as the inventory: exit 1 with the constraint's message", async () => {
    const run = await palisade(args('samples/inventory-same-host.yaml'));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`[unique-ingress-host] ${TAKEN}`);
  });

  it('allows when the inventory holds no other Ingress of that host: exit 0', async () => {
    const run = await palisade(args('samples/inventory-other-hosts.yaml'));
    expect(run.stderr).not.toContain('not evaluated');
    expect(run.code).toBe(0);
  });

  it('refuses an inventory object without a name, naming the file: exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-inv-'));
    const file = join(dir, 'inv.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: Service\nmetadata: {}\n');
    const run = await palisade([...args('samples/inventory-same-host.yaml'), '--inventory', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:1: an inventory object needs metadata.name`);
  });
});
