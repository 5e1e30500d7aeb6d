// A policy's default parameters, by ONE algorithm used by the webhook runtime (policy-set.ts),
// the CLI, the build's generated example tests and the docs: each top-level property of the
// parameter schema that declares a `default` contributes that value (a copy), nothing else.
//
// Why this one and not ajv's useDefaults (scripts/policy-manifest.js used it): the runtime builds
// a snapshot on every reload and should not compile JSON schemas for it; the result is the same
// for every built-in policy (test/unit/policy/source/parameters.test.ts checks it), and the rule
// is one sentence an author can predict. Nested defaults (inside an object property's own schema)
// are not applied: give the object property a whole `default` instead. The loader checks that
// these defaults satisfy the schema (discover.ts), so the value the runtime uses is valid.
/** What defaultParameters reads of a policy's metadata: its parameter schema, if any. */
export interface ParameterSchemaHolder {
  parameters?: { properties?: Record<string, unknown> } | undefined;
}

export function defaultParameters(meta: ParameterSchemaHolder): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries(meta.parameters?.properties ?? {})) {
    if (prop && typeof prop === 'object' && 'default' in prop) {
      out[name] = structuredClone((prop as { default: unknown }).default);
    }
  }
  return out;
}
