// A steady stream of server-side dry-run Pod creates through the apiserver (so through every
// webhook that selects the namespace), at a paced rate, counting every answer that is not a
// success: kubectl per request is far too slow for tens of requests a second.
import type { KubeApi } from '../support/kube-api';

export interface LoadResult {
  sent: number;
  /** One line per create that did not answer 201: status and message, or the client error. */
  failures: string[];
  seconds: number;
  /** The slowest create, in ms (a retry inside the apiserver shows here, not as a failure). */
  slowestMs: number;
}

export interface Load {
  sent(): number;
  /** Lets the requests in flight finish, then reports. */
  stop(): Promise<LoadResult>;
}

export interface LoadOptions {
  ratePerSecond: number;
  /** Requests in flight at most; keep it within the clients' sockets (kubeApi: 4 each). */
  concurrency: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Worker i sends through apis[i % apis.length] (each kubeApi client has 4 sockets). */
export function startCreateLoad(
  apis: KubeApi[],
  namespace: string,
  pod: Record<string, unknown>,
  opts: LoadOptions,
): Load {
  const path = `/api/v1/namespaces/${namespace}/pods?dryRun=All`;
  const failures: string[] = [];
  let sent = 0;
  let slowestMs = 0;
  let stopping = false;
  const started = Date.now();
  const createOnce = async (api: KubeApi) => {
    sent++;
    const t0 = Date.now();
    try {
      const r = await api.call('POST', path, pod);
      if (r.status !== 201)
        failures.push(`${r.status} ${r.body?.message ?? JSON.stringify(r.body)}`);
    } catch (err) {
      failures.push(`client error: ${(err as Error).message}`);
    }
    slowestMs = Math.max(slowestMs, Date.now() - t0);
  };
  // Each worker sends one create every `interval` ms; a worker that falls behind does not burst.
  const interval = (opts.concurrency * 1000) / opts.ratePerSecond;
  const worker = async (i: number) => {
    await sleep((i * interval) / opts.concurrency);
    let next = Date.now();
    while (!stopping) {
      next += interval;
      await createOnce(apis[i % apis.length]!);
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
      else next = Date.now();
    }
  };
  const workers = Array.from({ length: opts.concurrency }, (_, i) => worker(i));
  return {
    sent: () => sent,
    async stop() {
      stopping = true;
      await Promise.all(workers);
      return { sent, failures, seconds: (Date.now() - started) / 1000, slowestMs };
    },
  };
}
