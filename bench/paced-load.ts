// Fixed-rate load, evenly paced and open-loop: request i is due at start + i/rate, whatever
// happened to the previous ones, and its latency runs from that due time (so a stall is charged
// to every request it delays, not hidden). autocannon's own rate option is unusable for latency:
// each connection fires its per-second quota back to back at the start of every second, and its
// coordinated-omission correction assumes a 1 ms interval, so even the null webhook showed a p99
// of 16 ms at 1,000 req/s against 3 ms at saturation.
import { Agent, request, type AgentOptions } from 'node:https';

export interface PacedResult {
  rps: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  /** Requests sent (all of them answered or failed by the time the result is returned). */
  sent: number;
  errors: number;
  non2xx: number;
  /** With `check`: the answers it refused, counted by the reason it gave. */
  unexpected: Record<string, number>;
}

/** Why an answer is not the one expected for request i, or undefined when it is. */
export type AnswerCheck = (i: number, status: number, body: string) => string | undefined;

// Distinct reasons kept in `unexpected`; further ones are counted under "other".
const MAX_REASONS = 20;

export async function pacedLoad(opts: {
  /** Default 127.0.0.1. */
  host?: string;
  port: number;
  /** CA and client certificate; without them, the server's certificate is not verified. */
  tls?: Pick<AgentOptions, 'ca' | 'cert' | 'key'>;
  path: string;
  /** The request body; several are sent in turn. */
  body: string | string[];
  /** Judges each answer (its body is read); without it, any status below 300 is an answer. */
  check?: AnswerCheck;
  rate: number;
  durationS: number;
  connections: number;
}): Promise<PacedResult> {
  const agent = new Agent({
    keepAlive: true,
    maxSockets: opts.connections,
    ...(opts.tls ?? { rejectUnauthorized: false }),
  });
  const bodies = (Array.isArray(opts.body) ? opts.body : [opts.body]).map((b) => Buffer.from(b));
  const total = Math.round(opts.rate * opts.durationS);
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  const unexpected: Record<string, number> = {};
  const refuse = (reason: string) => {
    const key =
      reason in unexpected || Object.keys(unexpected).length < MAX_REASONS ? reason : 'other';
    unexpected[key] = (unexpected[key] ?? 0) + 1;
  };
  let done = 0;
  const start = performance.now();
  const finished = new Promise<void>((resolve) => {
    const complete = () => {
      if (++done === total) resolve();
    };
    const send = (i: number, due: number) => {
      const body = bodies[i % bodies.length]!;
      const req = request(
        {
          host: opts.host ?? '127.0.0.1',
          port: opts.port,
          path: opts.path,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': body.length },
        },
        (res) => {
          let text = '';
          if (opts.check) res.setEncoding('utf8').on('data', (c: string) => (text += c));
          else res.resume();
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const reason = opts.check ? opts.check(i, status, text) : undefined;
            if (reason !== undefined) refuse(reason);
            else if (!opts.check && status >= 300) non2xx++;
            else latencies.push(performance.now() - due);
            complete();
          });
        },
      );
      req.on('error', () => {
        errors++;
        complete();
      });
      req.end(body);
    };
    let sent = 0;
    // A 1 ms tick sends every request that has come due (timers cannot fire more finely).
    const timer = setInterval(() => {
      const now = performance.now();
      while (sent < total && start + (sent * 1000) / opts.rate <= now) {
        send(sent, start + (sent * 1000) / opts.rate);
        sent++;
      }
      if (sent === total) clearInterval(timer);
    }, 1);
  });
  await finished;
  const elapsedS = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number) =>
    latencies.length === 0
      ? 0
      : Math.round(
          latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! * 100,
        ) / 100;
  return {
    rps: Math.round(latencies.length / elapsedS),
    p50_ms: q(0.5),
    p90_ms: q(0.9),
    p99_ms: q(0.99),
    max_ms: q(1),
    sent: total,
    errors,
    non2xx,
    unexpected,
  };
}
