// policies/capabilities.json: the OPA capabilities file that `opa build -t wasm` and `opa check`
// use, so that a policy calling a builtin the webhook cannot evaluate fails at BUILD time (naming
// the builtin and file:line) instead of at evaluation with "not implemented".
//
// Allowed builtins = (builtins the compiled wasm module implements natively, measured by
// builtin-probe.ts) ∪ (builtins the Palisade host supplies: the keys of hostBuiltins in
// src/policy/builtins, the very table the runtime hands to the wasm module, so no list is kept
// in sync by hand).
//
// The deprecated builtins (any, all, re_match, set_diff, net.cidr_overlap, cast_*) cannot be
// called from Rego v1, so the v1 probe cannot compile them; Gatekeeper's v0 templates still call
// them. They are probed again as v0 Rego and kept on the same terms (native or host-provided).
// That does not loosen Palisade's v1 policies: opa refuses a deprecated builtin in a v1 module
// ("deprecated built-in function calls") even when the capabilities list it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureOpa } from '../build/opa';
import { hostBuiltins } from '../builtins';
import { probeBuiltins, type OpaBuiltin } from './builtin-probe';
import { formatText } from './format-text';
import { GenerateError } from './generate-error';

// Language features kept from `opa capabilities --current`. rego_v1 is required to parse Rego v1
// at all; keywords_in_refs only relaxes the parser. template_strings is kept only when the
// builtin it compiles to (internal.template_string) is allowed. rego_v2 / rego_v2_import are
// dropped: policies are Rego v1, and rego_v2 would imply features that are not checked here.
const KEEP_FEATURES = ['rego_v1', 'keywords_in_refs'];
const FEATURE_NEEDS_BUILTIN: Readonly<Record<string, string>> = {
  template_strings: 'internal.template_string',
};

export interface OpaCapabilities {
  builtins: OpaBuiltin[];
  future_keywords?: string[];
  features?: string[];
}

export interface Capabilities {
  /** What policies/capabilities.json holds. */
  caps: OpaCapabilities;
  /** One line saying what was measured (printed with --verbose). */
  summary: string;
}

/** policies/capabilities.json's text, formatted as prettier would, and what was measured. */
export async function renderCapabilities(root: string): Promise<{ text: string; summary: string }> {
  const { caps, summary } = await measureCapabilities();
  const file = join(root, 'policies', 'capabilities.json');
  return { text: await formatText(JSON.stringify(caps), file, 'json'), summary };
}

/** Measures the pinned opa (installed under .tools/bin if missing). */
export async function measureCapabilities(): Promise<Capabilities> {
  const opa = await ensureOpa();
  const version = await opa.version();
  const current = await opa.json<OpaCapabilities>(['capabilities', '--current']);
  const known = new Set(current.builtins.map((b) => b.name));
  const host = Object.keys(hostBuiltins);
  for (const h of host) {
    if (!known.has(h)) {
      throw new GenerateError(
        'PAL_GEN_SOURCE',
        `src/policy/builtins/index.ts: host builtin ${h} is unknown to opa ${version}`,
      );
    }
  }

  const work = mkdtempSync(join(tmpdir(), 'palisade-caps-'));
  let probe;
  let v0;
  try {
    probe = await probeBuiltins(opa, current.builtins, work);
    const failed = new Set(probe.failed.map((f) => f.name));
    const deprecated = current.builtins.filter((b) => b.deprecated && failed.has(b.name));
    v0 = await probeBuiltins(opa, deprecated, work, 0);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const allowed = new Set([...probe.native, ...v0.native, ...host]);
  const features = (current.features ?? []).filter(
    (f) =>
      KEEP_FEATURES.includes(f) ||
      (FEATURE_NEEDS_BUILTIN[f] !== undefined && allowed.has(FEATURE_NEEDS_BUILTIN[f])),
  );
  if (!features.includes('rego_v1')) {
    throw new GenerateError('PAL_GEN_TOOL', `opa ${version} capabilities lack the rego_v1 feature`);
  }
  const caps = {
    builtins: current.builtins.filter((b) => allowed.has(b.name)),
    future_keywords: current.future_keywords ?? [],
    features,
  };
  const summary =
    `opa ${version}: ${current.builtins.length} builtins, ${probe.native.length} native in ` +
    `wasm, ${probe.host.length} need the host (${host.length} host-provided kept), ` +
    `${probe.failed.length} not compilable in v1 (${v0.native.length} deprecated ones native ` +
    `in v0: ${v0.native.sort().join(', ')}); ${caps.builtins.length} allowed; features ` +
    `${features.join(', ')}; ${probe.compiles + v0.compiles} compiles`;
  return { caps, summary };
}
