// The playground's decision code on the real engine in Node (the page runs the same modules in
// the browser, test/integration/playground.test.ts): the built bundle's bytes, the config's
// actions and the page's override of one policy's action and parameters, and the problems a
// manifest can have, each with its line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import type { PolicySnapshot } from '../../src/policy/snapshot';
import { pageSnapshot, type PolicyOverride } from '../../src/cli/playground/page/page-snapshot';
import { runManifests } from '../../src/cli/playground/page/run-manifests';
import { BUNDLE } from './harness';

const OPTS = { operation: 'CREATE' as const, namespace: 'shop', username: 'jane', groups: [] };
const pod = (image: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - {name: app, image: "${image}"}\n`;

let config: Config;
const snapshots: PolicySnapshot[] = [];
async function snapshot(override?: PolicyOverride): Promise<PolicySnapshot> {
  const files = {
    wasm: readFileSync(join(BUNDLE, 'policy.wasm')),
    data: readFileSync(join(BUNDLE, 'data.json')),
    manifest: readFileSync(join(BUNDLE, 'palisade.json')),
  };
  const s = await pageSnapshot('bundle', files, config, override);
  snapshots.push(s);
  return s;
}

beforeAll(async () => {
  config = await loadConfig({});
});
afterAll(async () => {
  await Promise.all(snapshots.map((s) => s.evaluator.close()));
});

describe('the playground’s decision on the built bundle', () => {
  it('warns for a latest tag by the bundle’s action, and denies once the page says deny', async () => {
    const warned = await runManifests(pod('app:latest'), OPTS, await snapshot(), 'w.example');
    expect(warned.kubectl.filter((l) => l.includes('disallow-latest-tag'))).toEqual([
      'Warning: [disallow-latest-tag] image tag "latest" (container "app" must not use image "app:latest") (at spec.containers[0].image)',
    ]);
    expect(warned.kubectl.at(-1)).toBe('pod/web created');
    const denied = await runManifests(
      pod('app:latest'),
      OPTS,
      await snapshot({ id: 'disallow-latest-tag', action: 'deny' }),
      'w.example',
    );
    expect(denied.kubectl.at(-1)).toMatch(
      /^Error from server \(Forbidden\): error when creating "STDIN": admission webhook "w\.example" denied the request: 1 violation of 1 policy:\n- \[disallow-latest-tag\] spec\.containers\[0\]\.image: image tag "latest"/,
    );
    expect(denied.results[0]!.violations[0]!.line).toBe(6);
  });

  it('evaluates with the page’s parameters over the defaults', async () => {
    const s = await snapshot({
      id: 'disallow-latest-tag',
      action: 'deny',
      parameters: { disallowedTags: ['main'] },
    });
    const latest = await runManifests(pod('app:latest'), OPTS, s, 'w');
    const main = await runManifests(pod('app:main'), OPTS, s, 'w');
    expect(latest.results[0]!.allowed).toBe(true);
    expect(main.results[0]!.allowed).toBe(false);
    expect(main.results[0]!.message).toContain('image tag "main"');
  });

  it('lists every document it cannot evaluate, with its line, and evaluates the rest', async () => {
    const text = `${pod('app:1.0')}---\nkind: Pod\n---\napiVersion: example.com/v1\nkind: [x\n`;
    const run = await runManifests(text, OPTS, await snapshot(), 'w');
    expect(run.results.map((r) => r.name)).toEqual(['web']);
    expect(run.problems.map((p) => p.line)).toEqual([8, 12]); // the unclosed [ is found at the end
    expect(run.problems[0]!.message).toBe('not a Kubernetes object: apiVersion missing');
  });
});
