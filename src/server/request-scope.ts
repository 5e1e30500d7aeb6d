// What /validate holds for each request: its one deadline, started when the request arrives
// (onRequest), and its share of the byte budget, taken by the body's declared length before
// Fastify reads and parses it (preParsing), so bytes past the budget wait in the client's socket,
// not in our heap. Both are let go when the response is done or the connection closes.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { ByteBudget } from '../admission/byte-budget';
import { Deadline } from '../deadline';
import { replyAddressInPrefix } from '../admission/decode';
import { errored } from '../admission/response';
import { PalisadeError } from '../errors';
import type { ServerDeps } from './deps';
import { toHttpError } from './error-status';

const MiB = 1024 * 1024;
/** Enough of a body to find the uid the apiserver writes near its start. */
const HEAD_BYTES = 4096;

interface Scope {
  deadline: Deadline;
  release?: () => void;
  closed: boolean;
}

const scopes = new WeakMap<FastifyRequest, Scope>();

/** The request's deadline signal, for the handler and the evaluation. */
export function deadlineOf(request: FastifyRequest): AbortSignal | undefined {
  return scopes.get(request)?.deadline.signal;
}

export function requestScopeHooks(deps: ServerDeps) {
  const evaluation = () => deps.snapshots.snapshot.config.evaluation;
  const budget = new ByteBudget(() => evaluation().maxInflightMiB * MiB);
  deps.metrics.watchBudget(budget);
  return {
    onRequest: async (request: FastifyRequest, reply: FastifyReply) => {
      const scope: Scope = { deadline: new Deadline(evaluation().deadlineMs), closed: false };
      scopes.set(request, scope);
      // 'close' comes after the response is sent, and also when the client goes away first.
      reply.raw.once('close', () => {
        scope.closed = true;
        scope.deadline.dispose();
        scope.release?.();
      });
    },
    preParsing: async (request: FastifyRequest, reply: FastifyReply, payload: Readable) => {
      const scope = scopes.get(request)!;
      try {
        scope.release = await budget.acquire(declaredBytes(request), scope.deadline.signal);
      } catch {
        await answerOverloaded(deps, reply, payload, evaluation());
        return payload;
      }
      if (scope.closed) scope.release(); // the client left while it waited
      return payload;
    },
  };
}

/** The bytes a body will take: its Content-Length, or the body limit when it does not say. */
function declaredBytes(request: FastifyRequest): number {
  const limit = request.routeOptions.bodyLimit ?? 0;
  const declared = Number(request.headers['content-length']);
  // Over the limit: Fastify answers 413 without reading it.
  if (declared > limit) return 0;
  return Number.isFinite(declared) && declared >= 0 ? declared : limit;
}

/**
 * The request waited past its deadline. Its body is read through (the connection stays usable)
 * but only its head is kept, for the uid: the failure mode answers it with the reason.
 */
async function answerOverloaded(
  deps: ServerDeps,
  reply: FastifyReply,
  payload: Readable,
  evaluation: { maxInflightMiB: number; deadlineMs: number },
): Promise<void> {
  const error = new PalisadeError('PAL_ERR_OVERLOADED', [
    evaluation.maxInflightMiB,
    evaluation.deadlineMs,
  ]);
  const to = replyAddressInPrefix(await readHead(payload, HEAD_BYTES));
  deps.metrics.errors.inc({ code: error.code });
  reply.log.warn(
    { uid: to?.uid, error: { code: error.code, message: error.message } },
    'overloaded',
  );
  if (!to) {
    const http = toHttpError(error);
    deps.metrics.requests.inc({ operation: '', kind: '', code: http.status });
    await reply.code(http.status).send(http.body);
    return;
  }
  deps.metrics.requests.inc({ operation: '', kind: '', code: 200 });
  const failureMode = deps.snapshots.snapshot.config.failureMode;
  await reply.code(200).send(errored(to, error.message, failureMode));
}

/** Reads a stream to its end, keeping only its first `max` bytes. */
async function readHead(stream: Readable, max: number): Promise<string> {
  const kept: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (size < max) kept.push(chunk.subarray(0, max - size));
    size += chunk.length;
  }
  return Buffer.concat(kept).toString('utf8');
}
