// The bundle build refuses, at BUILD time, a policy that calls a builtin neither the wasm nor the
// host provides, naming the builtin and the file; and a broken policy leaves the last good bundle.
// It records what each policy can read of the object, and the wasm gets only that.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handleAdmission } from '../../src/admission/handler';
import { validateConfig } from '../../src/config/load';
import { PolicyBuildError } from '../../src/policy/build/build-error';
import { buildBundle } from '../../src/policy/build/build-bundle';
import { Opa, pinnedOpaPath } from '../../src/policy/build/opa';
import { loadBundle } from '../../src/policy/bundle';
import { InlineEvaluator } from '../../src/policy/engine';
import { resolvePolicies } from '../../src/policy/policy-set';
import { review } from '../fixtures/reviews';

const ROOT = join(__dirname, '..', '..');

async function build(policies: string, out: string): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  try {
    await buildBundle({ policiesDir: policies, outDir: out, opa: new Opa(pinnedOpaPath()), log });
    return { code: 0, output: lines.join('\n') };
  } catch (err) {
    if (!(err instanceof PolicyBuildError)) throw err;
    return { code: 1, output: [...lines, err.message].join('\n') };
  }
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'palisade-build-'));
  cpSync(join(ROOT, 'policies'), join(work, 'policies'), { recursive: true });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

it.each([
  ['time.now_ns()', 'time.now_ns'],
  ['http.send({"method": "get", "url": "https://example.com"})', 'http.send'],
])('fails the build on %s, naming the builtin and the file', async (call, name) => {
  const out = join(work, 'bundle');
  expect((await build(join(work, 'policies'), out)).code).toBe(0);
  const before = readFileSync(join(out, 'policy.wasm'));
  const file = join(work, 'policies', 'disallow-privileged', 'policy.rego');
  const original = readFileSync(file, 'utf8');
  writeFileSync(file, `${original}\n_now := ${call}\n`);
  try {
    const result = await build(join(work, 'policies'), out);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(name);
    expect(result.output).toMatch(/disallow-privileged\/policy\.rego:\d+/);
    // The last good bundle is untouched.
    expect(existsSync(join(out, 'policy.wasm'))).toBe(true);
    expect(readFileSync(join(out, 'policy.wasm')).equals(before)).toBe(true);
  } finally {
    writeFileSync(file, original);
  }
});

// --- what each policy can read (palisade.json reads, src/policy/build/reads.ts) ------------------

const SECRET_KEYS_POLICY = `package policies.secret_data_keys

violation contains {"msg": concat(",", sort(keys)), "path": "data"} if {
	keys := [k | some k, _ in object.get(input.review.object, "data", {})]
	count(keys) > 0
}
`;

const SECRET_KEYS_META = `id: secret-data-keys
title: Lists a Secret's data keys
description: Test policy that reads input.review.object.data.
severity: low
action: deny
match:
  kinds: [Secret]
  operations: [CREATE]
parameters:
  type: object
  properties: {}
docs: https://example.com/secret-data-keys
`;

function manifestReads(out: string): Record<string, unknown> {
  const manifest = JSON.parse(readFileSync(join(out, 'palisade.json'), 'utf8'));
  return Object.fromEntries(
    (manifest.policies as { id: string; reads: unknown }[]).map((p) => [p.id, p.reads]),
  );
}

describe('reads', () => {
  let out: string;
  beforeAll(async () => {
    const dir = join(work, 'policies', 'secret-data-keys');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'policy.rego'), SECRET_KEYS_POLICY);
    writeFileSync(join(dir, 'policy.yaml'), SECRET_KEYS_META);
    out = join(work, 'reads-bundle');
    const result = await build(join(work, 'policies'), out);
    if (result.code !== 0) throw new Error(result.output);
  });
  afterAll(() => rmSync(join(work, 'policies', 'secret-data-keys'), { recursive: true }));

  it.each([
    ['disallow-default-namespace', ['metadata']],
    ['restrict-service-types', ['metadata', 'spec']],
    ['restrict-service-external-ips', ['metadata', 'spec']],
    ['secret-data-keys', ['data']],
    // The pod library looks up the template path per kind (a computed key): everything.
    ['disallow-privileged', '*'],
    // `_obj := input.review.object` is an alias the analysis does not follow: everything.
    ['require-labels', '*'],
  ])('derives what %s reads', (id, want) => {
    expect(manifestReads(out)[id]).toEqual(want);
  });

  it("gives the wasm a Secret's data only when an applicable policy reads it", async () => {
    const bundle = await loadBundle(out);
    const only = (ids: string[]) => {
      const off = [...bundle.policies.keys()].filter((id) => !ids.includes(id));
      const config = validateConfig('t', {
        policies: Object.fromEntries(off.map((id) => [id, { action: 'off' }])),
      });
      return { config, policies: resolvePolicies(bundle.policies, config).policies };
    };
    const inner = new InlineEvaluator(bundle, { maxMemoryBytes: 64 << 20 });
    const inputs: { object: Record<string, unknown> }[] = [];
    const evaluator = {
      evaluate: (input: ArrayBuffer) => {
        inputs.push(JSON.parse(new TextDecoder().decode(input)).review);
        return inner.evaluate(input);
      },
      close: async () => {},
    };
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'default' },
      data: { password: 'aHVudGVyMg==', user: 'YWRtaW4=' },
    };
    const r = review(secret);

    const metadataOnly = await handleAdmission(r, {
      ...only(['disallow-default-namespace']),
      evaluator,
    });
    expect(metadataOnly.violations.map((v) => v.policy)).toEqual(['disallow-default-namespace']);
    expect(inputs[0]!.object).toEqual({ metadata: secret.metadata });

    const withData = await handleAdmission(r, {
      ...only(['disallow-default-namespace', 'secret-data-keys']),
      evaluator,
    });
    expect(withData.violations.map((v) => [v.policy, v.msg]).sort()).toEqual([
      [
        'disallow-default-namespace',
        'default namespace (Secret "db" must not be created in namespace "default")',
      ],
      ['secret-data-keys', 'password,user'],
    ]);
    expect(inputs[1]!.object).toEqual({ metadata: secret.metadata, data: secret.data });
  });

  it('takes a policy.yaml declaration that widens the derived reads, refuses one that narrows', async () => {
    const yml = join(work, 'policies', 'restrict-service-types', 'policy.yaml');
    const original = readFileSync(yml, 'utf8');
    try {
      writeFileSync(yml, `${original}reads: '*'\n`);
      const wide = join(work, 'wide-bundle');
      expect((await build(join(work, 'policies'), wide)).code).toBe(0);
      expect(manifestReads(wide)['restrict-service-types']).toBe('*');

      writeFileSync(yml, `${original}reads: [metadata]\n`);
      const narrow = await build(join(work, 'policies'), join(work, 'narrow-bundle'));
      expect(narrow.code).not.toBe(0);
      expect(narrow.output).toContain(
        'restrict-service-types/policy.yaml: reads leaves out spec, which policy.rego reads',
      );
    } finally {
      writeFileSync(yml, original);
    }
  });
});
