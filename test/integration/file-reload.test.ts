// The running process watches its config and certificate files: a good change applies without a
// restart, a bad one is refused with its reasons and the previous one keeps serving.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSigned, type ServingCert } from '../../src/certs/serving-cert';
import { container, pod, review } from '../fixtures/reviews';
import { httpsCall } from '../support/https-client';
import { startPalisadeProcess, type PalisadeProcess } from '../support/palisade-process';
import { servedFingerprint } from '../support/serving-cert';
import { otherPoliciesOff } from './harness';

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

let cert = selfSigned(['127.0.0.1']);
writeCert(cert);
writeConfig('deny');
let palisade: PalisadeProcess;
let port = 0;
/** Resolves when the process output has `n` occurrences of `text`. */
const logged = (text: string, n = 1) => palisade.logged(text, n);

beforeAll(async () => {
  palisade = await startPalisadeProcess({ args: ['--config', configFile, '--port', '0'] });
  port = palisade.port;
});
afterAll(async () => {
  await palisade.stop('SIGTERM');
});

async function post(ca: string): Promise<{ allowed: boolean; warnings?: string[] }> {
  const body = JSON.stringify(review(pod('web', [container({ privileged: true })])));
  const answer = await httpsCall(
    { host: '127.0.0.1', port, path: '/validate', method: 'POST', ca, agent: false },
    body,
  );
  return JSON.parse(answer.text).response;
}

const fingerprint = (ca: string) => servedFingerprint(port, ca);

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
  expect(palisade.output()).toContain('/policies/disallow-privileged/action');
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
