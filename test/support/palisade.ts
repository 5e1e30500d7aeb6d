// Palisade started from a config file of the caller's, serving a certificate for 127.0.0.1 from
// files (serving-cert.ts) signed by a CA made here, so a ValidatingWebhookConfiguration can reach
// it with clientConfig.url and that CA as caBundle. Its pino decision log is collected so tests
// can ask what Palisade was sent.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KeyPairPem } from '../../src/certs/generate';
import { startPalisadeProcess, type LogLine, type PalisadeProcess } from './palisade-process';
import { testCA, writeServing } from './serving-cert';

export type { LogLine };

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
  process: PalisadeProcess;
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

/** Writes `config` as `dir`/config.yaml; returns the file. */
export function writeConfigFile(dir: string, config: Record<string, unknown>): string {
  const file = join(dir, 'config.yaml');
  writeFileSync(file, stringify(config));
  return file;
}

export async function startPalisade(opts: PalisadeOptions = {}): Promise<Palisade> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'palisade-e2e-'));
  const ca = opts.ca ?? testCA('palisade-e2e-ca', 30);
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  writeServing(ca, certFile, keyFile);
  const server = {
    drainDelaySeconds: 0,
    ...(opts.config?.server as Record<string, unknown> | undefined),
    tls: { certFile, keyFile },
  };
  const configFile = writeConfigFile(dir, { ...opts.config, server });
  const proc = await startPalisadeProcess({
    args: ['--config', configFile, '--port', String(opts.port ?? 0)],
  });
  const decisions = () =>
    proc.logLines().filter((l): l is DecisionLine => l.msg === 'admission decision');
  const waitFor = <T>(found: () => T | undefined, timeoutMs = 30_000) =>
    proc.until(found, "a line of Palisade's log", timeoutMs);
  return {
    port: proc.port,
    validateUrl: `${proc.url}/validate`,
    ca,
    dir,
    certFile,
    keyFile,
    process: proc,
    output: proc.output,
    logLines: proc.logLines,
    decisions,
    waitForLog: (match, timeoutMs) => waitFor(() => proc.logLines().find(match), timeoutMs),
    waitForDecisions(match, count = 1, timeoutMs) {
      const found = () => {
        const ds = decisions().filter(match);
        return ds.length >= count ? ds : undefined;
      };
      return waitFor(found, timeoutMs);
    },
    writeNewCertificate: () => writeServing(ca, certFile, keyFile),
    async stop() {
      const code = await proc.stop('SIGTERM');
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}
