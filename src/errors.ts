// One registry of coded errors. Tests assert on `err.code`, never on message text; the HTTP
// layer maps codes to statuses in one place (server/error-status.ts) using `status` below.
// Only the errors that can reach an HTTP response as such have a status: a bad or unparsable
// body, an overloaded server. Every other error is answered inside an AdmissionReview by the
// failure mode (evaluation, deadline) or stops the process before it listens (config, bundle,
// TLS); should one ever reach the error handler, it is a 500, as PAL_ERR_INTERNAL.

interface ErrorSpec {
  readonly message: string;
  readonly status?: number;
}

export const ERRORS = {
  PAL_ERR_BUNDLE_LOAD: { message: 'cannot load policy bundle %s: %s' },
  PAL_ERR_BUNDLE_INVALID: { message: 'invalid policy bundle %s: %s' },
  PAL_ERR_BUNDLE_FETCH: { message: 'cannot download policy bundle %s: %s' },
  PAL_ERR_BUNDLE_UNAVAILABLE: { message: 'no verified policy bundle yet: %s' },
  PAL_ERR_BUNDLE_ARCHIVE: { message: 'invalid bundle archive %s: %s' },
  PAL_ERR_BUNDLE_VERIFY: { message: 'bundle %s refused: %s' },
  PAL_ERR_WASM_EVAL: { message: 'policy evaluation failed: %s' },
  PAL_ERR_WASM_MEMORY: { message: 'policy evaluation exceeded its memory limit: %s' },
  PAL_ERR_BUILTIN: { message: 'builtin %s failed: %s' },
  PAL_ERR_DEADLINE: { message: 'policy evaluation exceeded its deadline of %s ms' },
  PAL_ERR_CONFIG_INVALID: { message: 'invalid config %s:\n%s' },
  PAL_ERR_CONFIG_READ: { message: 'cannot read config %s: %s' },
  PAL_ERR_TLS_LOAD: { message: 'cannot load TLS certificate: %s' },
  PAL_ERR_TLS_AUTO: { message: 'automatic TLS (server.tls.auto) failed: %s' },
  PAL_ERR_KUBE_CONFIG: { message: 'no Kubernetes API access: %s' },
  PAL_ERR_OCI: { message: 'OCI registry, %s: %s' },
  PAL_ERR_GATEKEEPER_TEMPLATE: { message: 'ConstraintTemplate %s (%s): %s' },
  PAL_ERR_GATEKEEPER_CONSTRAINT: { message: 'constraint %s (%s): %s' },
  PAL_ERR_GATEKEEPER_START: { message: 'gatekeeper.enabled: cannot start: %s' },
  PAL_ERR_BAD_REQUEST: { status: 400, message: '%s' },
  PAL_ERR_UNSUPPORTED_MEDIA: { status: 415, message: '%s' },
  PAL_ERR_BODY_TOO_LARGE: { status: 413, message: '%s' },
  PAL_ERR_OVERLOADED: {
    status: 503,
    message:
      'Palisade is over its in-flight byte budget of %s MiB: the request waited past its deadline of %s ms',
  },
  PAL_ERR_INTERNAL: { status: 500, message: 'internal error: %s' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** The HTTP status of an error with this code, should it reach an HTTP response. */
export function httpStatus(code: ErrorCode): number {
  return (ERRORS[code] as ErrorSpec).status ?? 500;
}

export class PalisadeError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, args: readonly unknown[] = [], options?: { cause?: unknown }) {
    super(format(ERRORS[code].message, args), options);
    this.name = 'PalisadeError';
    this.code = code;
    this.status = httpStatus(code);
  }
}

/** Rebuilds a coded error from its parts, e.g. after it crossed a worker-thread boundary. */
export function palisadeErrorWithMessage(code: ErrorCode, message: string): PalisadeError {
  const err = new PalisadeError(code);
  err.message = message;
  return err;
}

export function palisadeError(code: ErrorCode, ...args: unknown[]): PalisadeError {
  return new PalisadeError(code, args);
}

function format(template: string, args: readonly unknown[]): string {
  let i = 0;
  return template.replace(/%s/g, () => (i < args.length ? String(args[i++]) : '%s'));
}

/**
 * Turns anything thrown into an Error with a readable message. The opa-wasm SDK and wasm
 * aborts throw strings and plain objects (`{message}`), not Error instances.
 */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === 'string') return thrown;
  if (thrown && typeof thrown === 'object' && 'message' in thrown) {
    return String((thrown as { message: unknown }).message);
  }
  try {
    return JSON.stringify(thrown) ?? String(thrown);
  } catch {
    return String(thrown);
  }
}

/** Wraps a thrown value into a coded error, keeping coded errors as they are. */
export function toPalisadeError(
  thrown: unknown,
  code: ErrorCode = 'PAL_ERR_INTERNAL',
): PalisadeError {
  if (thrown instanceof PalisadeError) return thrown;
  const err = new PalisadeError(code, [describeThrown(thrown)], { cause: thrown });
  return err;
}

/** The coded error a stage rejects with once `signal` has aborted (a Deadline's, usually). */
export function abortReason(signal: AbortSignal): PalisadeError {
  return toPalisadeError(signal.reason, 'PAL_ERR_INTERNAL');
}
