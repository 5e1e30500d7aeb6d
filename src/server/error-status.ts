// The one place where error codes become HTTP statuses and JSON error bodies.
import { httpStatus, PalisadeError, type ErrorCode } from '../errors';

export interface HttpError {
  status: number;
  body: { error: { code: string; message: string } };
}

// Fastify's own body-parsing errors, mapped onto ours (and their statuses, errors.ts).
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'PAL_ERR_UNSUPPORTED_MEDIA',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAL_ERR_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_JSON_BODY: 'PAL_ERR_BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'PAL_ERR_BAD_REQUEST',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'PAL_ERR_BAD_REQUEST',
};

export function toHttpError(err: unknown): HttpError {
  if (err instanceof PalisadeError) {
    return { status: err.status, body: { error: { code: err.code, message: err.message } } };
  }
  const e = err as { code?: string; message?: string; statusCode?: number };
  const known = e.code ? FASTIFY_CODES[e.code] : undefined;
  if (known) {
    return {
      status: httpStatus(known),
      body: { error: { code: known, message: e.message ?? known } },
    };
  }
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return {
      status: e.statusCode,
      body: { error: { code: 'PAL_ERR_BAD_REQUEST', message: e.message ?? 'bad request' } },
    };
  }
  return { status: 500, body: { error: { code: 'PAL_ERR_INTERNAL', message: 'internal error' } } };
}
