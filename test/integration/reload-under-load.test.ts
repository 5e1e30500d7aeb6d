// Reloads lose nothing: while 16 connections keep the webhook busy, the config file is rewritten
// and the bundle replaced again and again, and every reply is the normal decision. Overrides from
// the command line and the environment survive a reload, a reload to another bundle directory
// watches that directory, and only the self-signed local mode writes a CA file and a curl hint.
import { cpSync, mkdtempSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { selfSigned } from '../../src/certs/serving-cert';
import { container, pod, review } from '../fixtures/reviews';
import { BUNDLE, otherPoliciesOff } from './harness';
import { startWebhookProcess, type WebhookProcess } from './webhook-process';

const CONNECTIONS = 16;
const RELOADS = 10;

const dir = mkdtempSync(join(tmpdir(), 'palisade-reload-load-'));
const cert = selfSigned(['127.0.0.1']);
const certFile = join(dir, 'tls.crt');
const keyFile = join(dir, 'tls.key');
writeFileSync(certFile, cert.cert);
writeFileSync(keyFile, cert.key);

/** A private copy of the built bundle, which a test may replace file by file. */
function copyBundle(name: string): string {
  const to = join(dir, name);
  cpSync(BUNDLE, to, { recursive: true });
  return to;
}

/** Replaces policy.wasm by a fresh copy (a new inode, as a rebuild or a ConfigMap swap gives). */
function rebuild(bundle: string): void {
  cpSync(join(BUNDLE, 'policy.wasm'), join(bundle, 'policy.wasm.new'));
  renameSync(join(bundle, 'policy.wasm.new'), join(bundle, 'policy.wasm'));
}

/** Writes the config file atomically: the poller never reads half a file. */
function writeConfig(file: string, config: Record<string, unknown>): void {
  const full = {
    server: { tls: { certFile, keyFile } },
    ...config,
    policies: { ...otherPoliciesOff(), 'disallow-privileged': { action: 'deny' } },
  };
  writeFileSync(`${file}.tmp`, stringify(full));
  renameSync(`${file}.tmp`, file);
}

const running: WebhookProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});
async function start(args: string[], env?: NodeJS.ProcessEnv): Promise<WebhookProcess> {
  const p = await startWebhookProcess(args, env);
  running.push(p);
  return p;
}

/**
 * Keeps CONNECTIONS requests in flight (privileged Pods, denied, and plain ones, allowed) until
 * `during` settles; returns how many replies there were and every one that was not the normal
 * decision.
 */
async function trafficDuring(p: WebhookProcess, during: Promise<void>) {
  let done = false;
  let replies = 0;
  const wrong: string[] = [];
  const loop = async (n: number) => {
    for (let i = 0; !done; i++) {
      const privileged = (n + i) % 2 === 0;
      const r = review(pod(`p${n}-${i}`, [container({ privileged })]));
      const { status, text } = await p.post(JSON.stringify(r), cert.ca);
      replies++;
      const res = status === 200 ? JSON.parse(text).response : undefined;
      const normal =
        res?.uid === r.request.uid &&
        res.allowed === !privileged &&
        (privileged ? res.status?.code === 403 : res.status === undefined);
      if (!normal) wrong.push(`${status} ${text.slice(0, 300)}`);
    }
  };
  const loops = Array.from({ length: CONNECTIONS }, (_, n) => loop(n));
  await during.finally(() => (done = true));
  await Promise.all(loops);
  return { replies, wrong };
}

it('errors no request while the config file is rewritten under load', async () => {
  const file = join(dir, 'config-load.yaml');
  writeConfig(file, { bundle: BUNDLE });
  const p = await start(['--config', file, '--port', '0']);
  const reloads = (async () => {
    for (let i = 1; i <= RELOADS; i++) {
      // A different memory cap each time: each reload builds a new evaluator pool.
      writeConfig(file, { bundle: BUNDLE, evaluation: { maxMemoryMiB: 64 + (i % 2) } });
      await p.logged('"msg":"config reloaded"', i);
    }
  })();
  const { replies, wrong } = await trafficDuring(p, reloads);
  expect(wrong).toEqual([]);
  expect(replies).toBeGreaterThan(RELOADS * CONNECTIONS);
  expect(p.count('"msg":"config reloaded"')).toBe(RELOADS);
}, 120_000);

it('errors no request while the bundle is replaced under load', async () => {
  const bundle = copyBundle('bundle-load');
  const file = join(dir, 'config-bundle.yaml');
  writeConfig(file, { bundle });
  const p = await start(['--config', file, '--port', '0']);
  const reloads = (async () => {
    for (let i = 1; i <= RELOADS; i++) {
      rebuild(bundle);
      await p.logged('"msg":"bundle reloaded"', i);
    }
  })();
  const { replies, wrong } = await trafficDuring(p, reloads);
  expect(wrong).toEqual([]);
  expect(replies).toBeGreaterThan(RELOADS * CONNECTIONS);
}, 120_000);

/** What the process says first after the config file is rewritten: reloaded, or why not. */
async function afterRewrite(p: WebhookProcess, file: string, config: Record<string, unknown>) {
  const good = '"msg":"config reloaded"';
  const bad = 'new config refused';
  writeConfig(file, config);
  const said = await p.first(good, bad);
  return said === good ? 'reloaded' : p.output().slice(p.output().indexOf(bad) - 400);
}

it.each([
  ['--bundle', (b: string) => ({ args: ['--bundle', b], env: process.env })],
  ['PALISADE_BUNDLE', (b: string) => ({ args: [], env: { ...process.env, PALISADE_BUNDLE: b } })],
])(
  'keeps the %s override across a config reload',
  async (_, how) => {
    const bundle = copyBundle(`bundle-override-${_}`);
    const file = join(dir, `config-override-${_}.yaml`);
    // The file names a bundle that does not exist: only the override makes this config work.
    const config = { bundle: join(dir, 'no-such-bundle') };
    writeConfig(file, config);
    const { args, env } = how(bundle);
    const p = await start(['--config', file, '--port', '0', ...args], env);
    expect(await afterRewrite(p, file, { ...config, logLevel: 'debug' })).toBe('reloaded');
  },
  60_000,
);

it('watches the new bundle directory after a config reload changes `bundle`', async () => {
  const first = copyBundle('bundle-first');
  const second = copyBundle('bundle-second');
  const file = join(dir, 'config-move.yaml');
  writeConfig(file, { bundle: first });
  const p = await start(['--config', file, '--port', '0']);
  expect(await afterRewrite(p, file, { bundle: second })).toBe('reloaded');
  rebuild(second);
  await p.logged('"msg":"bundle reloaded"');
  expect(p.count('"msg":"bundle reloaded"')).toBe(1);
}, 60_000);

it('writes no CA file and prints no curl hint when serving certificate files', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'palisade-announce-'));
  const file = join(dir, 'config-files.yaml');
  writeConfig(file, { bundle: BUNDLE });
  const p = await start(['--config', file, '--port', '0'], { ...process.env, TMPDIR: tmp });
  expect(p.output()).not.toContain('curl');
  expect(readdirSync(tmp)).toEqual([]);
});
