// What the playground's server (or an exported copy's files) hands the page, and the compile
// exchange. Plain JSON both ways.
import type { Config } from '../../../config/schema';

/** playground.json. */
export interface PlaygroundData {
  /** The webhook's name kubectl prints in denials (the chart's webhook.name). */
  webhook: string;
  /** True in an exported copy: no server, so no Rego compiles. */
  static: boolean;
  config: Config;
  policies: PolicyView[];
}

export interface PolicyView {
  id: string;
  title: string;
  /** The action the bundle gives it (the config may change it). */
  action: string;
  /** Its Rego sources (not tests), by file name inside its folder; empty without sources. */
  rego: Record<string, string>;
}

/** POST compile. */
export interface CompileRequest {
  policy: string;
  file: string;
  rego: string;
}

export interface CompileProblem {
  /** The line of the edited file, when opa names one. */
  line?: number;
  message: string;
}

export type CompileReply =
  | { ok: true; wasm: string; data?: string; manifest: string }
  | { ok: false; problems: CompileProblem[] };

/** The bundle's files, beside the page. */
export const BUNDLE_FILES = {
  wasm: 'bundle/policy.wasm',
  data: 'bundle/data.json',
  manifest: 'bundle/palisade.json',
} as const;
