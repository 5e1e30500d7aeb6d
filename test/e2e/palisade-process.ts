// Palisade run locally for the e2e tests, through the same entry as `npm start`
// (node dist/src/main.js), serving a certificate for 127.0.0.1 signed by a CA made here, so a
// ValidatingWebhookConfiguration can reach it with clientConfig.url and that CA as caBundle.
// Its pino decision log (stdout) is collected so tests can ask what Palisade was sent.
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { stringify } from 'yaml';
import { generateCA, generateServing, type KeyPairPem } from '../../src/certs/generate';
import { ROOT } from './cluster';

const MAIN = join(ROOT, 'dist', 'src', 'main.js');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

/** One JSON log line of Palisade (pino). */
export interface LogLine {
  msg: string;
  [key: string]: unknown;
}

/** The `admission decision` line: one per request the apiserver sent. */
export interface DecisionLine extends LogLine {
  uid: string;
  kind: string;
  namespace?: string;
  name?: string;
  operation: string;
  dryRun: boolean;
  decision: 'allow' | 'deny' | 'exempt' | 'error';
  allowed: boolean;
  policies: string[];
  violations: Array<{ policy: string; action: string; path?: string }>;
}

export interface PalisadeOptions {
  /**
   * Palisade config (docs/configuration.md); server.tls is filled in here, and
   * server.drainDelaySeconds is 0 unless given (a test's stop() has no endpoints to wait for).
   */
  config?: Record<string, unknown>;
  /** Default 0 (any free port). Pass a stopped instance's port to restart it in place. */
  port?: number;
  /** Reuse this CA so an existing webhook's caBundle stays valid (e.g. on a restart). */
  ca?: KeyPairPem;
  /** Where the config, certificate and key go; default a temporary directory, removed by stop(). */
  dir?: string;
}

export interface Palisade {
  port: number;
  /** https://127.0.0.1:PORT/validate, for clientConfig.url. */
  validateUrl: string;
  ca: KeyPairPem;
  dir: string;
  certFile: string;
  keyFile: string;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  logLines(): LogLine[];
  decisions(): DecisionLine[];
  /** Resolves with the first log line (already written or to come) that `match` accepts. */
  waitForLog(match: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Resolves with the decision lines `match` accepts once there are at least `count`. */
  waitForDecisions(
    match: (d: DecisionLine) => boolean,
    count?: number,
    timeoutMs?: number,
  ): Promise<DecisionLine[]>;
  /** Writes a new serving certificate and key (same CA) in place; returns the new certificate. */
  writeNewCertificate(): string;
  /** SIGTERM, then waits for the exit (SIGKILL past the bound); resolves with the exit code.
   *  Removes the temporary directory it made. */
  stop(): Promise<number | null>;
}

/**
 * The `policies` key of a config that turns every policy of the built bundle off except those
 * in `keep` (id → its settings; {} keeps the policy's defaults). The built-in set keeps growing;
 * a test that asserts kubectl's exact output names the policies it is about.
 */
export function onlyPolicies(
  keep: Record<string, Record<string, unknown>>,
): Record<string, Record<string, unknown>> {
  const meta = JSON.parse(readFileSync(join(ROOT, 'dist', 'bundle', 'palisade.json'), 'utf8')) as {
    policies: Array<{ id: string }>;
  };
  const ids = meta.policies.map((p) => p.id);
  for (const id of Object.keys(keep)) {
    if (!ids.includes(id)) throw new Error(`policy ${id} is not in dist/bundle`);
  }
  return Object.fromEntries(ids.map((id) => [id, keep[id] ?? { action: 'off' }]));
}

/** A serving certificate for 127.0.0.1 signed by `ca`, written as key then cert, each atomically. */
function writeServing(ca: KeyPairPem, certFile: string, keyFile: string): string {
  const leaf = generateServing(ca, ['127.0.0.1', 'localhost'], 30);
  // rename() so Palisade's poller never reads a half-written file.
  writeFileSync(`${keyFile}.tmp`, leaf.keyPem, { mode: 0o600 });
  renameSync(`${keyFile}.tmp`, keyFile);
  writeFileSync(`${certFile}.tmp`, leaf.certPem);
  renameSync(`${certFile}.tmp`, certFile);
  return leaf.certPem;
}

export async function startPalisade(opts: PalisadeOptions = {}): Promise<Palisade> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'palisade-e2e-'));
  const ca = opts.ca ?? generateCA('palisade-e2e-ca', 30);
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  const configFile = join(dir, 'config.yaml');
  writeServing(ca, certFile, keyFile);
  const server = {
    drainDelaySeconds: 0,
    ...(opts.config?.server as Record<string, unknown> | undefined),
    tls: { certFile, keyFile },
  };
  const config = { ...opts.config, server };
  writeFileSync(configFile, stringify(config));

  const proc = spawn(
    process.execPath,
    [MAIN, '--config', configFile, '--port', String(opts.port ?? 0)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // A test run that dies must not leave a webhook server behind.
  const killOnExit = () => proc.kill('SIGKILL');
  process.once('exit', killOnExit);
  let out = '';
  let partial = '';
  const lines: LogLine[] = [];
  proc.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    // Parsed as whole lines arrive; a chunk can end inside a line.
    const text = partial + c.toString();
    const cut = text.lastIndexOf('\n') + 1;
    partial = text.slice(cut);
    for (const l of text.slice(0, cut).split('\n')) {
      if (l.startsWith('{')) lines.push(JSON.parse(l) as LogLine);
    }
  });
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => {
      exitCode = code;
      process.off('exit', killOnExit);
      resolve(code);
    }),
  );

  const m = await waitForOutput(
    proc,
    () => out,
    /"url":"(https:\/\/[^"]+)"[^\n]*"msg":"palisade listening"/,
  );
  const validateUrl = `${m[1]!}/validate`;
  const logLines = () => [...lines];
  const decisions = () => lines.filter((l): l is DecisionLine => l.msg === 'admission decision');
  // Re-checks `found` on every chunk of output until it returns something.
  const waitUntil = <T>(found: () => T | undefined, timeoutMs = 30_000) =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = found();
        if (value === undefined) return;
        cleanup();
        resolve(value);
      };
      const fail = (why: string) => {
        cleanup();
        reject(new Error(`${why} waiting for Palisade's log; output:\n${out}`));
      };
      const onExit = () => fail('Palisade exited');
      const timer = setTimeout(() => fail(`${timeoutMs} ms passed`), timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        proc.stdout!.off('data', check);
        proc.off('exit', onExit);
      };
      proc.stdout!.on('data', check);
      proc.once('exit', onExit);
      check();
    });

  return {
    port: Number(new URL(validateUrl).port),
    validateUrl,
    ca,
    dir,
    certFile,
    keyFile,
    output: () => out,
    logLines,
    decisions,
    waitForLog: (match, timeoutMs) => waitUntil(() => lines.find(match), timeoutMs),
    waitForDecisions(match, count = 1, timeoutMs) {
      const found = () => {
        const ds = decisions().filter(match);
        return ds.length >= count ? ds : undefined;
      };
      return waitUntil(found, timeoutMs);
    },
    writeNewCertificate: () => writeServing(ca, certFile, keyFile),
    async stop() {
      if (exitCode === undefined) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
      return exitCode ?? null;
    },
  };
}

function waitForOutput(
  proc: ChildProcess,
  output: () => string,
  pattern: RegExp,
): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`Palisade did not start in ${START_TIMEOUT_MS} ms:\n${output()}`));
    }, START_TIMEOUT_MS);
    const check = () => {
      const m = pattern.exec(output());
      if (!m) return;
      clearTimeout(timer);
      proc.stdout!.off('data', check);
      resolve(m);
    };
    proc.stdout!.on('data', check);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Palisade exited (${code}) before serving:\n${output()}`));
    });
    check();
  });
}

/** SHA-256 fingerprint of a PEM certificate, as node's TLS peer certificate reports it. */
export function fingerprint(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/** The fingerprint of the certificate Palisade serves on a new TLS connection now. */
export function servedFingerprint(port: number, caPem: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: caPem }, () => {
      const fp = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fp);
    });
    socket.on('error', reject);
  });
}
