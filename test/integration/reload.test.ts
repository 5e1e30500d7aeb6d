// Reloads: a new config or bundle replaces the old one only when it is good; a bad one is
// refused with its reasons and the previous one keeps serving.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { validateConfig } from '../../src/config/load';
import { container, pod, review } from '../fixtures/reviews';
import { BUNDLE, otherPoliciesOff, startHarness, type Harness } from './harness';

let h: Harness;
let bundleDir: string;

beforeAll(async () => {
  bundleDir = join(mkdtempSync(join(tmpdir(), 'palisade-bundle-')), 'bundle');
  cpSync(BUNDLE, bundleDir, { recursive: true });
  h = await startHarness({ bundle: bundleDir });
});
afterAll(() => h.close());

const privilegedPod = () => review(pod('web', [container({ privileged: true })]));

it('applies a good new config: a policy switched to warn stops denying', async () => {
  expect((await h.post(privilegedPod())).json().response.allowed).toBe(false);
  const next = validateConfig('new', {
    bundle: bundleDir,
    policies: { ...otherPoliciesOff(bundleDir), 'disallow-privileged': { action: 'warn' } },
  });
  const reloaded = once(h.deps.runtime, 'reloaded');
  expect(await h.deps.runtime.reloadConfig(next)).toBe(true);
  expect(await reloaded).toEqual(['config']);
  const res = (await h.post(privilegedPod())).json().response;
  expect(res.allowed).toBe(true);
  expect(res.warnings[0]).toMatch(/^\[disallow-privileged\]/);
});

it('refuses a config naming a policy the bundle lacks, and keeps the old one', async () => {
  const before = h.deps.runtime.snapshot;
  const rejected = once(h.deps.runtime, 'rejected');
  const bad = validateConfig('bad', {
    bundle: bundleDir,
    policies: { 'no-such-policy': { action: 'deny' } },
  });
  expect(await h.deps.runtime.reloadConfig(bad)).toBe(false);
  const [kind, err] = await rejected;
  expect(kind).toBe('config');
  expect(err).toMatchObject({ code: 'PAL_ERR_CONFIG_INVALID' });
  expect(err.message).toContain('policies.no-such-policy: no such policy in the bundle');
  expect(h.deps.runtime.snapshot).toBe(before);
});

it('refuses a corrupt bundle with the reason, and keeps serving the old one', async () => {
  writeFileSync(join(bundleDir, 'policy.wasm'), 'not wasm at all');
  const rejected = once(h.deps.runtime, 'rejected');
  expect(await h.deps.runtime.reloadBundle()).toBe(false);
  const [kind, err] = await rejected;
  expect(kind).toBe('bundle');
  expect(err).toMatchObject({ code: 'PAL_ERR_BUNDLE_INVALID' });
  const r = privilegedPod();
  expect((await h.post(r)).json().response.uid).toBe(r.request.uid);
});

it('refuses a bundle whose metadata is missing', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'palisade-empty-'));
  const next = validateConfig('new', { bundle: empty });
  expect(await h.deps.runtime.reloadConfig(next)).toBe(false);
  expect(h.deps.runtime.snapshot.config.bundle.source).toBe(bundleDir);
});
