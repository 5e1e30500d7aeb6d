// Coded errors of `palisade generate`: the policy sources or the chart cannot produce a
// generated file (PAL_GEN_SOURCE), or a tool it runs (opa, helm, prettier) failed
// (PAL_GEN_TOOL). The CLI turns both into exit code 2; tests assert on `code`.

export type GenerateErrorCode = 'PAL_GEN_SOURCE' | 'PAL_GEN_TOOL';

export class GenerateError extends Error {
  readonly code: GenerateErrorCode;

  constructor(code: GenerateErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GenerateError';
    this.code = code;
  }
}
