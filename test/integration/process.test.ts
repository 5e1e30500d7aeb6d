// The webhook as `npm start` runs it (dist/src/main.js): prints its URL and a working curl
// example, refuses a bad config listing every problem, drains and exits on SIGTERM: it keeps
// serving with `Connection: close` for server.drainDelaySeconds, then closes, finishes the
// requests in flight and exits (src/server/drain.ts).
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpsCall } from '../support/https-client';
import { startPalisadeProcess, type PalisadeProcess } from '../support/palisade-process';
import { openConnection, requestHead } from './raw-connection';

const spawned: ChildProcess[] = [];
// A failed assertion must not leave a server running (jest would wait for it).
afterEach(() => {
  for (const p of spawned.splice(0))
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
});

/** Palisade started (test/support), not yet waited for: these tests read its output. */
async function run(args: string[]): Promise<{ proc: ChildProcess; output: () => string }> {
  const started = await startPalisadeProcess({ args, noWait: true });
  spawned.push(started.proc);
  processes.set(started.proc, started);
  return { proc: started.proc, output: started.output };
}
const processes = new WeakMap<ChildProcess, PalisadeProcess>();

/** A config file with only these `server` keys (every other key at its default). */
function serverConfig(server: Record<string, unknown>): string {
  const file = join(mkdtempSync(join(tmpdir(), 'palisade-')), 'config.yaml');
  writeFileSync(file, JSON.stringify({ server }));
  return file;
}

/** Resolves with the first match of `pattern` in the output (already there, or to come). */
function waitFor(
  proc: ChildProcess,
  output: () => string,
  pattern: RegExp,
): Promise<RegExpExecArray> {
  return processes.get(proc)!.until(() => pattern.exec(output()) ?? undefined, String(pattern));
}

it('serves on a free port, prints a curl example that works, and drains on SIGTERM', async () => {
  const { proc, output } = await run([
    '--port',
    '0',
    '--config',
    serverConfig({ drainDelaySeconds: 0 }),
  ]);
  const m = await waitFor(
    proc,
    output,
    /curl --cacert (\S+) .*\n\s+--data @(\S+) (https:\/\/127\.0\.0\.1:(\d+)\/validate)/,
  );
  const [, caFile, sample, , port] = m;
  const body = readFileSync(sample!, 'utf8');
  const answer = await httpsCall(
    {
      host: '127.0.0.1',
      port: Number(port),
      path: '/validate',
      method: 'POST',
      ca: readFileSync(caFile!),
    },
    body,
  );
  const reply = answer.text;
  const response = JSON.parse(reply).response;
  expect(response.uid).toBe(JSON.parse(body).request.uid);
  expect(response.allowed).toBe(false);
  // With the default policy set, Pod Security baseline denies it (disallow-privileged is off).
  expect(response.status.message).toContain(
    '[pss-baseline-privileged] spec.containers[0].securityContext.privileged',
  );
  const exited = once(proc, 'exit');
  proc.kill('SIGTERM');
  const [code] = await exited;
  expect(code).toBe(0);
  expect(output()).toContain(
    '"msg":"draining: readiness off, answering with Connection: close until the delay is over"',
  );
  expect(output()).toContain('"msg":"stopped"');
});

const CURL = /curl --cacert (\S+) .*\n\s+--data @(\S+) https:\/\/127\.0\.0\.1:(\d+)\/validate/;
const DRAINING =
  '"msg":"draining: readiness off, answering with Connection: close until the delay is over"';
const CLOSING = '"msg":"closing: no new connections, finishing in-flight requests"';

/** Palisade on a free port with these server settings: its CA, port and sample review. */
async function startDraining(server: Record<string, unknown>) {
  const started = await run(['--port', '0', '--config', serverConfig(server)]);
  const [, caFile, sample, port] = await waitFor(started.proc, started.output, CURL);
  const exited = once(started.proc, 'exit');
  const logged = (text: string) => waitFor(started.proc, started.output, new RegExp(escape(text)));
  return {
    ...started,
    exited,
    logged,
    port: Number(port),
    ca: readFileSync(caFile!, 'utf8'),
    review: readFileSync(sample!, 'utf8'),
  };
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('SIGTERM drain', () => {
  it('keeps answering with Connection: close for the delay, then closes idle connections, finishes in-flight requests and exits 0', async () => {
    // A drain timeout past jest's: the close must not wait for it.
    const p = await startDraining({ drainDelaySeconds: 2, drainTimeoutMs: 300_000 });
    // A connection that never carries a request (an HTTP client's spare one).
    const unused = await openConnection(p.port, p.ca);
    const kept = await openConnection(p.port, p.ca);
    const before = await kept.request('GET', '/readyz');
    expect([before.status, before.headers.connection]).toEqual([200, 'keep-alive']);
    const idle = await openConnection(p.port, p.ca);
    expect((await idle.request('GET', '/healthz')).status).toBe(200);
    // A request whose head is in before the signal and whose body arrives during the close.
    const inFlight = await openConnection(p.port, p.ca);
    const body = Buffer.from(p.review);
    inFlight.write(requestHead('POST', '/validate', body.length, true));
    expect((await inFlight.answer()).status).toBe(100);
    inFlight.write(body.subarray(0, 10).toString());

    p.proc.kill('SIGTERM');
    await p.logged(DRAINING);
    // Readiness is off at once, but a kept-alive connection is still answered, then closed.
    const ready = await kept.request('GET', '/readyz');
    expect([ready.status, ready.headers.connection]).toEqual([503, 'close']);
    await kept.closed;
    // New connections are still accepted and served during the delay.
    const late = await openConnection(p.port, p.ca);
    const review = await late.request('POST', '/validate', p.review);
    expect([review.status, review.headers.connection]).toEqual([200, 'close']);
    expect(JSON.parse(review.body).response.allowed).toBe(false);

    await p.logged(CLOSING);
    await idle.closed;
    await unused.closed;
    await expect(openConnection(p.port, p.ca)).rejects.toThrow('ECONNREFUSED');
    inFlight.write(body.subarray(10).toString());
    const finished = await inFlight.answer();
    expect([finished.status, finished.headers.connection]).toEqual([200, 'close']);
    expect(JSON.parse(finished.body).response.uid).toBe(JSON.parse(p.review).request.uid);
    const [code] = await p.exited;
    expect(code).toBe(0);
    expect(p.output()).toContain('"msg":"stopped"');
  });

  it('a second SIGTERM ends the delay at once; Palisade still exits 0', async () => {
    const p = await startDraining({ drainDelaySeconds: 3600 });
    p.proc.kill('SIGTERM');
    await p.logged(DRAINING);
    p.proc.kill('SIGTERM');
    const [code, signal] = await p.exited;
    expect([code, signal]).toEqual([0, null]);
    expect(p.output()).toContain(
      '"msg":"second signal: ending the drain delay now (if still running)"',
    );
    expect(p.output()).toContain(CLOSING);
  });

  it('exits 0 past server.drainTimeoutMs with a request still in flight', async () => {
    const p = await startDraining({ drainDelaySeconds: 0, drainTimeoutMs: 100 });
    const stuck = await openConnection(p.port, p.ca);
    stuck.write(requestHead('POST', '/validate', 1000, true));
    expect((await stuck.answer()).status).toBe(100);
    p.proc.kill('SIGTERM');
    const [code] = await p.exited;
    expect(code).toBe(0);
    expect(p.output()).toContain('"msg":"drain timeout: exiting with requests still in flight"');
    stuck.destroy();
  });
});

it('refuses to start on a bad config, listing every problem, with exit code 2', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'palisade-')), 'bad.yaml');
  writeFileSync(file, 'failureMode: maybe\nevaluation:\n  deadlineMs: 0\nunknownKey: 1\n');
  const { proc, output } = await run(['--config', file]);
  const [code] = await once(proc, 'exit');
  expect(code).toBe(2);
  expect(output()).toContain(`palisade: invalid config ${file}:`);
  for (const key of ['/failureMode', '/evaluation/deadlineMs', '/unknownKey'])
    expect(output()).toContain(key);
});
