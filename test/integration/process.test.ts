// The webhook as `npm start` runs it (dist/src/main.js): prints its URL and a working curl
// example, refuses a bad config listing every problem, drains and exits on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');

const spawned: ChildProcess[] = [];
// A failed assertion must not leave a server running (jest would wait for it).
afterEach(() => {
  for (const p of spawned.splice(0))
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
});

function run(args: string[]): { proc: ChildProcess; output: () => string } {
  const proc = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  spawned.push(proc);
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return { proc, output: () => out };
}

function waitFor(
  proc: ChildProcess,
  output: () => string,
  pattern: RegExp,
): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = pattern.exec(output());
      if (m) {
        proc.stdout!.off('data', check);
        proc.stderr!.off('data', check);
        resolve(m);
      }
    };
    proc.stdout!.on('data', check);
    proc.stderr!.on('data', check);
    proc.once('exit', (code) => reject(new Error(`exited ${code}: ${output()}`)));
    check();
  });
}

it('serves on a free port, prints a curl example that works, and drains on SIGTERM', async () => {
  const { proc, output } = run(['--port', '0']);
  const m = await waitFor(
    proc,
    output,
    /curl --cacert (\S+) .*\n\s+--data @(\S+) (https:\/\/127\.0\.0\.1:(\d+)\/validate)/,
  );
  const [, caFile, sample, , port] = m;
  const body = readFileSync(sample!, 'utf8');
  const reply = await new Promise<string>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: Number(port),
        path: '/validate',
        method: 'POST',
        ca: readFileSync(caFile!),
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
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
  expect(output()).toContain('"msg":"draining: readiness off, finishing in-flight requests"');
  expect(output()).toContain('"msg":"stopped"');
});

it('refuses to start on a bad config, listing every problem, with exit code 2', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'palisade-')), 'bad.yaml');
  writeFileSync(file, 'failureMode: maybe\nevaluation:\n  deadlineMs: 0\nunknownKey: 1\n');
  const { proc, output } = run(['--config', file]);
  const [code] = await once(proc, 'exit');
  expect(code).toBe(2);
  expect(output()).toContain(`palisade: invalid config ${file}:`);
  for (const key of ['/failureMode', '/evaluation/deadlineMs', '/unknownKey'])
    expect(output()).toContain(key);
});
