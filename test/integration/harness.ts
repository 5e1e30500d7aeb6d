// Starts a real Palisade HTTPS server in-process on a free loopback port, on the real compiled
// bundle, with a certificate made by node-forge, and talks to it over TLS.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { validateConfig } from '../../src/config/load';
import { createLogger } from '../../src/logger';
import { PolicyRuntime } from '../../src/policy/policy-runtime';
import { buildServer, type App } from '../../src/server/build-server';
import type { ServerDeps } from '../../src/server/deps';
import { Metrics } from '../../src/server/metrics';
import { selfSigned, type ServingCert } from '../../src/certs/serving-cert';
import { localClient, type HttpsAnswer } from '../support/https-client';
import { bundlePolicyIds, policiesOffExcept } from '../support/policy-selection';

export const BUNDLE = process.env.PALISADE_TEST_BUNDLE ?? 'dist/bundle';

export interface Harness {
  app: App;
  /** The server's deps, and the runtime behind its snapshots (reload tests drive it). */
  deps: ServerDeps & { runtime: PolicyRuntime };
  tls: ServingCert;
  port: number;
  logLines: () => Record<string, unknown>[];
  logText: () => string;
  post: (body: string | object, headers?: Record<string, string>) => Promise<HttpReply>;
  get: (path: string) => Promise<HttpReply>;
  close: () => Promise<void>;
}

export type HttpReply = HttpsAnswer;

/**
 * The webhook tests are about the webhook, not the policy library (every built-in policy is
 * tested on its own examples in policy-examples.test.ts): they run on these starter policies,
 * every other built-in policy switched off, so that adding one to policies/ changes no answer
 * here. Policies a test brings in its own bundle stay as that bundle sets them.
 */
export const TEST_POLICIES = [
  'disallow-latest-tag',
  'disallow-privileged',
  'require-resource-limits',
];

/** disallow-privileged is off by default (pss-baseline-privileged covers it); here it denies. */
const TEST_ACTIONS: Record<string, { action: 'deny' }> = {
  'disallow-privileged': { action: 'deny' },
};

const BUILT_IN = join(__dirname, '..', '..', 'policies');

/** Config entries switching off the built-in policies of the bundle but TEST_POLICIES (and
 * setting those whose default the tests do not rely on). */
export function otherPoliciesOff(
  bundleDir: string = BUNDLE,
): Record<string, { action: 'off' | 'deny' }> {
  // No readable bundle: the test is about that, and the runtime will say so.
  const ids = bundlePolicyIds(bundleDir) ?? [];
  const builtIn = ids.filter((id) => existsSync(join(BUILT_IN, id, 'policy.yaml')));
  const keep = Object.fromEntries(TEST_POLICIES.map((id) => [id, TEST_ACTIONS[id] ?? {}]));
  const selected = policiesOffExcept(builtIn, keep) as Record<string, { action: 'off' | 'deny' }>;
  // A kept policy at its defaults needs no entry.
  for (const id of TEST_POLICIES) if (!TEST_ACTIONS[id]) delete selected[id];
  return selected;
}

export async function startHarness(configRaw: object = {}): Promise<Harness> {
  const raw = configRaw as { bundle?: string; policies?: Record<string, unknown> };
  const config = validateConfig('test', {
    bundle: BUNDLE,
    logLevel: 'debug',
    ...configRaw,
    policies: { ...otherPoliciesOff(raw.bundle ?? BUNDLE), ...raw.policies },
  });
  let log = '';
  const sink = new Writable({
    write(chunk, _enc, done) {
      log += chunk.toString();
      done();
    },
  });
  const logger = createLogger('debug', sink);
  const runtime = await PolicyRuntime.start(config);
  const tls = selfSigned(['127.0.0.1']);
  const metrics = new Metrics();
  const deps = { snapshots: runtime, runtime, metrics, logger, isReady: () => true };
  const app = await buildServer(deps, {
    tls,
    keepAliveTimeoutMs: config.server.keepAliveTimeoutMs,
    requestTimeoutMs: config.server.requestTimeoutMs,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const client = localClient(port, tls.ca);
  return {
    app,
    deps,
    tls,
    port,
    logText: () => log,
    logLines: () =>
      log
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    post: (body, headers = { 'content-type': 'application/json' }) =>
      client.post('/validate', body, headers),
    get: (path) => client.get(path),
    close: async () => {
      client.close();
      await app.close();
      await runtime.close();
    },
  };
}
