import { palisadeError } from '../errors';
import type { ReplyTo } from './response';
import type { AdmissionReviewRequest, Operation } from './types';

const OPERATIONS: ReadonlySet<string> = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

/**
 * Checks that a parsed JSON body is an AdmissionReview with what the handler relies on, and
 * names the first problem found (PAL_ERR_BAD_REQUEST → HTTP 400). Fields the apiserver may
 * omit (name, namespace, object for DELETE, userInfo.groups) are optional.
 */
export function decodeAdmissionReview(body: unknown): AdmissionReviewRequest {
  if (!isObject(body)) throw bad('body is not a JSON object');
  if (body.kind !== 'AdmissionReview') throw bad('kind must be "AdmissionReview"');
  if (typeof body.apiVersion !== 'string' || !body.apiVersion.startsWith(ADMISSION_GROUP)) {
    throw bad('apiVersion must be admission.k8s.io/v1');
  }
  const req = body.request;
  if (!isObject(req)) throw bad('request is missing');
  if (typeof req.uid !== 'string' || req.uid === '') throw bad('request.uid is missing');
  if (!isObject(req.kind) || typeof req.kind.kind !== 'string') {
    throw bad('request.kind.kind is missing');
  }
  if (typeof req.operation !== 'string' || !OPERATIONS.has(req.operation)) {
    throw bad('request.operation must be one of CREATE, UPDATE, DELETE, CONNECT');
  }
  if (req.userInfo !== undefined && !isObject(req.userInfo)) {
    throw bad('request.userInfo must be an object');
  }
  for (const field of ['object', 'oldObject'] as const) {
    const v = req[field];
    if (v !== undefined && v !== null && !isObject(v))
      throw bad(`request.${field} must be an object`);
  }
  if (req.namespace !== undefined && typeof req.namespace !== 'string') {
    throw bad('request.namespace must be a string');
  }
  if (req.userInfo === undefined) req.userInfo = {};
  req.operation = req.operation as Operation;
  return body as unknown as AdmissionReviewRequest;
}

/**
 * Where the reply to a body that is not a valid AdmissionReview can go: its uid when it has a
 * non-empty string one, with its apiVersion when that is an admission one. The apiserver then
 * gets an AdmissionReview saying what is wrong instead of failing the call.
 */
export function replyAddress(body: unknown): ReplyTo | undefined {
  if (!isObject(body) || !isObject(body.request)) return undefined;
  const { uid } = body.request;
  if (typeof uid !== 'string' || uid === '') return undefined;
  const { apiVersion } = body;
  const admission = typeof apiVersion === 'string' && apiVersion.startsWith(ADMISSION_GROUP);
  return { uid, apiVersion: admission ? apiVersion : undefined };
}

/**
 * The reply address from the first bytes of a body that will not be decoded (Palisade is over its
 * byte budget). The apiserver serializes kind, apiVersion, then request.uid first (Go's field
 * order), so they are there; another writer's order may hide them, and then there is none.
 */
export function replyAddressInPrefix(head: string): ReplyTo | undefined {
  const uid = jsonString(/"request"\s*:\s*\{\s*"uid"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(head)?.[1]);
  const apiVersion = jsonString(/"apiVersion"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(head)?.[1]);
  return replyAddress({ apiVersion, request: { uid } });
}

function jsonString(quoted: string | undefined): string | undefined {
  if (quoted === undefined) return undefined;
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return undefined;
  }
}

const ADMISSION_GROUP = 'admission.k8s.io/';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(reason: string) {
  return palisadeError('PAL_ERR_BAD_REQUEST', `not a valid AdmissionReview: ${reason}`);
}
