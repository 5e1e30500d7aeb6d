// Prometheus and promtool (.tools/bin, built pinned by `bash scripts/tools.sh prometheus`), for
// the chart's alerts (test/chart/prometheusrule.test.ts) and dashboard queries
// (test/integration/dashboard-queries.test.ts). Never built here: a missing binary is an error
// saying how to build it.
import { execFile, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './free-port';
import { ROOT } from './root';

export const PROMTOOL_BIN = join(ROOT, '.tools', 'bin', 'promtool');
export const PROMETHEUS_BIN = join(ROOT, '.tools', 'bin', 'prometheus');

/** Throws, saying how to build it, when `bin` is not in .tools/bin. */
export function requireTool(bin: string): string {
  if (!existsSync(bin)) {
    throw new Error(
      `${bin} is missing: build it with \`bash scripts/tools.sh prometheus\` (scripts/test.sh does)`,
    );
  }
  return bin;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs promtool; resolves with its exit code and output (a failing check is not a rejection). */
export function promtool(args: string[], cwd = ROOT): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(requireTool(PROMTOOL_BIN), args, { cwd }, (err, stdout, stderr) => {
      const code = err ? (err as { code?: unknown }).code : 0;
      if (typeof code !== 'number') reject(err);
      else resolve({ code, stdout, stderr });
    });
  });
}

export interface PromAnswer {
  status: string;
  error?: string;
  data?: { resultType: string; result: unknown[] };
}

export interface RunningPrometheus {
  /** http://127.0.0.1:PORT */
  api: string;
  query(expr: string): Promise<PromAnswer>;
  /** Polls `ok` (every 250 ms, at most `ms`) until it holds; throws with `what` and the log. */
  until(what: string, ok: () => Promise<boolean>, ms?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real Prometheus in `dir` scraping one Palisade (`port`, HTTPS verified with `caPem`) every
 * second as job "palisade"; resolves once it has scraped the target up.
 */
export async function startPrometheus(
  dir: string,
  target: { port: number; caPem: string },
): Promise<RunningPrometheus> {
  requireTool(PROMETHEUS_BIN);
  const caFile = join(dir, 'palisade-ca.pem');
  writeFileSync(caFile, target.caPem);
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      scrape_configs: [
        {
          job_name: 'palisade',
          scheme: 'https',
          tls_config: { ca_file: caFile },
          static_configs: [{ targets: [`127.0.0.1:${target.port}`] }],
        },
      ],
    }),
  );
  const proc = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  proc.stdout!.on('data', (c: Buffer) => (log += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  const query = async (expr: string): Promise<PromAnswer> => {
    const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(expr)}`);
    return (await res.json()) as PromAnswer;
  };
  const until = async (what: string, ok: () => Promise<boolean>, ms = 90_000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`${what}: prometheus exited\n${log}`);
      if (await ok()) return;
      if (Date.now() > deadline) throw new Error(`${what}: not after ${ms} ms\n${log}`);
      // Polling interval of a condition wait (Prometheus scrapes every second).
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  const stop = async () => {
    if (proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    await exited;
  };
  try {
    await until('Prometheus ready', async () => {
      try {
        return (await fetch(`${api}/-/ready`)).ok;
      } catch {
        return false;
      }
    });
    await until('the target scraped and up', async () => {
      const a = await query('up{job="palisade"} == 1');
      return (a.data?.result.length ?? 0) > 0;
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { api, query, until, stop };
}

export interface DashboardQuery {
  panel: string;
  expr: string;
}

/** The chart's dashboard queries, Grafana's variables filled in as a user's "All" would. */
export function dashboardQueries(dashboardJson: string): DashboardQuery[] {
  const d = JSON.parse(dashboardJson) as {
    panels: { title: string; targets: { expr: string }[] }[];
  };
  return d.panels.flatMap((p) =>
    p.targets.map((t) => ({
      panel: p.title,
      expr: t.expr.replaceAll('$job', '.+').replaceAll('$__rate_interval', '1m'),
    })),
  );
}
