// One violation as the aggregator entrypoint returns it (docs/policy-contract.md).
export interface Violation {
  policy: string;
  msg: string;
  path: string;
  fix: string;
  details: Record<string, unknown>;
  /** A Gatekeeper constraint's name, which messages show instead of its policy id. */
  name?: string;
}

/** Checks the shape the wasm returned, so a malformed policy cannot crash response building. */
export function toViolations(result: unknown): Violation[] {
  if (result === undefined || result === null) return [];
  if (!Array.isArray(result)) throw new Error('entrypoint did not return a set of violations');
  return result.map((v) => {
    const o = (v ?? {}) as Record<string, unknown>;
    return {
      policy: String(o.policy ?? ''),
      msg: typeof o.msg === 'string' ? o.msg : JSON.stringify(o.msg ?? 'policy violated'),
      path: typeof o.path === 'string' ? o.path : '',
      fix: typeof o.fix === 'string' ? o.fix : '',
      details:
        o.details && typeof o.details === 'object' ? (o.details as Record<string, unknown>) : {},
      ...(typeof o.name === 'string' ? { name: o.name } : {}),
    };
  });
}
