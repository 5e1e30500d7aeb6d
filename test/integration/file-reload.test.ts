// The running process watches its config and certificate files: a good change applies without a
// restart, a bad one is refused with its reasons and the previous one keeps serving.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSigned, type ServingCert } from '../../src/certs/serving-cert';
import { container, pod, review } from '../fixtures/reviews';
import { otherPoliciesOff } from './harness';

const MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'palisade-reload-'));
const configFile = join(dir, 'config.yaml');
const certFile = join(dir, 'tls.crt');
const keyFile = join(dir, 'tls.key');

// Only the starter policies answer here (see TEST_POLICIES in harness.ts).
const OTHERS_OFF = Object.entries(otherPoliciesOff(join(__dirname, '..', '..', 'dist', 'bundle')))
  .filter(([id]) => id !== 'disallow-privileged') // set by writeConfig
  .map(([id, { action }]) => `  ${id}:\n    action: '${action}'\n`)
  .join('');

function writeConfig(action: string) {
  writeFileSync(
    configFile,
    // drainDelaySeconds 0: the SIGTERM in afterAll has no load balancer to wait for.
    `server:\n  drainDelaySeconds: 0\n  tls:\n    certFile: ${certFile}\n    keyFile: ${keyFile}\npolicies:\n  disallow-privileged:\n    action: ${action}\n` +
      OTHERS_OFF,
  );
}
function writeCert(c: ServingCert) {
  writeFileSync(keyFile, c.key);
  writeFileSync(certFile, c.cert);
}

let out = '';
/** Resolves when the process output has `n` occurrences of `text`. */
function logged(text: string, n = 1): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (out.split(text).length - 1 >= n) {
        proc.stderr!.off('data', check);
        proc.stdout!.off('data', check);
        resolve();
      }
    };
    proc.stdout!.on('data', check);
    proc.stderr!.on('data', check);
    proc.once('exit', () => reject(new Error(`exited before "${text}": ${out}`)));
    check();
  });
}

let cert = selfSigned(['127.0.0.1']);
writeCert(cert);
writeConfig('deny');
const proc = spawn(process.execPath, [MAIN, '--config', configFile, '--port', '0'], {
  stdio: ['ignore', 'pipe', 'pipe'],
});
proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
let port = 0;

beforeAll(async () => {
  await logged('"msg":"palisade listening"');
  port = Number(/"url":"https:\/\/127\.0\.0\.1:(\d+)"/.exec(out)![1]);
});
afterAll(async () => {
  const exited = once(proc, 'exit');
  proc.kill('SIGTERM');
  await exited;
});

function post(ca: string): Promise<{ allowed: boolean; warnings?: string[] }> {
  const body = JSON.stringify(review(pod('web', [container({ privileged: true })])));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/validate',
        method: 'POST',
        ca,
        agent: false,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(JSON.parse(text).response));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function fingerprint(ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, ca }, () => {
      resolve(s.getPeerCertificate().fingerprint256);
      s.end();
    });
    s.on('error', reject);
  });
}

it('applies a changed config file without a restart', async () => {
  expect((await post(cert.ca)).allowed).toBe(false);
  writeConfig('warn');
  await logged('"msg":"config reloaded"');
  const res = await post(cert.ca);
  expect(res.allowed).toBe(true);
  expect(res.warnings?.[0]).toMatch(/^\[disallow-privileged\] privileged/);
});

it('refuses a bad config file and keeps the previous one', async () => {
  writeFileSync(configFile, 'policies:\n  disallow-privileged:\n    action: block\n');
  await logged('new config refused; the previous one keeps serving');
  expect(out).toContain('/policies/disallow-privileged/action');
  expect((await post(cert.ca)).allowed).toBe(true);
});

it('serves a replaced certificate file without a restart', async () => {
  const before = await fingerprint(cert.ca);
  cert = selfSigned(['127.0.0.1']);
  writeCert(cert);
  await logged('"msg":"serving certificate reloaded"');
  const after = await fingerprint(cert.ca);
  expect(after).not.toBe(before);
  expect((await post(cert.ca)).allowed).toBe(true);
});
