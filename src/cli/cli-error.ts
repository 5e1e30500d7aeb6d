// Coded errors of the palisade CLI. Every one ends the command with exit code 2 (usage or tool
// error); the message is printed on stderr, the stack only with --verbose. Tests assert on
// `code`, never on message text. (src/errors.ts holds the webhook's codes, which map to HTTP
// statuses; these map to exit codes instead.)

export const CLI_ERRORS = {
  /** Bad flags or arguments. */
  PAL_CLI_USAGE: 'usage',
  /** A file or directory that cannot be read. */
  PAL_CLI_READ: 'read',
  /** Input that is not valid YAML/JSON, not a Kubernetes object, or of an unknown kind. */
  PAL_CLI_INPUT: 'input',
  /** An external step (opa, a build script) could not run. */
  PAL_CLI_TOOL: 'tool',
  /** Writing an output file failed. */
  PAL_CLI_WRITE: 'write',
} as const;

export type CliErrorCode = keyof typeof CLI_ERRORS;

export class CliError extends Error {
  readonly code: CliErrorCode;
  readonly exitCode = 2;

  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.code = code;
  }
}

export function usageError(message: string): CliError {
  return new CliError('PAL_CLI_USAGE', message);
}
