// Edited Rego → a bundle, on the playground's side of the wire: a copy of the policy folders with
// the one file replaced, built by the project's own build (buildBundle: the aggregator, opa build
// -t wasm against capabilities.json, palisade.json), so the page gets the bundle `palisade build`
// would write for that edit. opa's messages about the edited file keep their line.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundle } from '../../policy/build/build-bundle';
import { PolicyBuildError, ToolError } from '../../policy/build/build-error';
import type { Opa } from '../../policy/build/opa';
import type { CompileProblem, CompileReply, CompileRequest } from './page/protocol';

export interface PolicySources {
  /** The policies directory (lib, capabilities.json and the policy folders). */
  dir: string;
  /** Each policy's folder (relative to dir) and editable Rego files: file name → text. */
  rego: ReadonlyMap<string, { folder: string; files: Readonly<Record<string, string>> }>;
}

/** Builds one at a time: a build runs opa over every policy, and the machine may be small. */
export class PolicyCompiler {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly sources: PolicySources,
    private readonly opa: Opa,
  ) {}

  compile(req: CompileRequest): Promise<CompileReply> {
    const next = this.queue.then(() => this.build(req));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async build(req: CompileRequest): Promise<CompileReply> {
    const own = this.sources.rego.get(req.policy);
    // Only a known policy's own file: the names become paths.
    if (!own || typeof req.rego !== 'string' || !Object.hasOwn(own.files, req.file)) {
      return fail(
        `no Rego file ${JSON.stringify(req.file)} in policy ${JSON.stringify(req.policy)}`,
      );
    }
    const work = mkdtempSync(join(tmpdir(), 'palisade-playground-'));
    try {
      const dir = join(work, 'policies');
      cpSync(this.sources.dir, dir, { recursive: true });
      writeFileSync(join(dir, own.folder, req.file), req.rego);
      const out = join(work, 'out');
      await buildBundle({ policiesDir: dir, outDir: out, opa: this.opa });
      const b64 = (name: string) => readFileSync(join(out, name)).toString('base64');
      return {
        ok: true,
        wasm: b64('policy.wasm'),
        data: b64('data.json'),
        manifest: b64('palisade.json'),
      };
    } catch (thrown) {
      if (thrown instanceof PolicyBuildError || thrown instanceof ToolError) {
        return { ok: false, problems: problemsOf(thrown, work, `${own.folder}/${req.file}`) };
      }
      throw thrown;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
}

const fail = (message: string): CompileReply => ({ ok: false, problems: [{ message }] });

/**
 * opa's problems, each with the edited file's line when it names one (`.../<id>/<file>:12:
 * rego_parse_error: ...`), the temporary directory left out of the text.
 */
export function problemsOf(thrown: Error, work: string, edited: string): CompileProblem[] {
  const json = opaJsonErrors(thrown.message, edited);
  if (json) return json;
  const lines =
    thrown instanceof PolicyBuildError && thrown.problems.length > 0
      ? [...thrown.problems]
      : thrown.message.split('\n');
  const at = new RegExp(`${escape(edited)}:(\\d+)(?::\\d+)?:?\\s*`);
  const out: CompileProblem[] = [];
  for (const raw of lines) {
    const text = raw.split(`${work}/`).join('').trim();
    if (!text || /^\d+ errors? occurred:?$/.test(text)) continue;
    const m = at.exec(text);
    out.push(m ? { line: Number(m[1]), message: text } : { message: text });
  }
  return out.length > 0 ? out : [{ message: thrown.message }];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `opa parse` (run by the build for the aggregator and reads) reports errors as JSON. */
function opaJsonErrors(message: string, edited: string): CompileProblem[] | undefined {
  const start = message.indexOf('{');
  if (start < 0) return undefined;
  let errors: unknown;
  try {
    errors = (JSON.parse(message.slice(start)) as { errors?: unknown }).errors;
  } catch {
    return undefined;
  }
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  return errors.map((e: { message?: string; code?: string; location?: OpaLocation }) => {
    const loc = e.location;
    const text = `${e.code ? `${e.code}: ` : ''}${e.message ?? 'error'}`;
    if (loc?.file?.endsWith(edited) && typeof loc.row === 'number') {
      return { line: loc.row, message: text };
    }
    return loc?.file ? { message: `${loc.file}:${loc.row}: ${text}` } : { message: text };
  });
}

interface OpaLocation {
  file?: string;
  row?: number;
}
