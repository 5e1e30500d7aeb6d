// The pinned opa binary (.tools/bin/opa, built by scripts/tools.sh from its Go module) and how
// the build runs it: one child process per call, at most one per core at a time, its output
// captured. `opa parse` and `opa deps` results are kept per file version (path, size, mtime), so
// a file edited between two builds in one process is parsed again.
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ToolError } from './build-error';
import { packageRoot } from './package-root';

export interface OpaRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The subset of `opa parse --format json` the build reads. */
export interface RegoModule {
  package: { path: RegoTerm[] };
  imports?: { path: RegoTerm }[];
  rules?: RegoRule[];
}

export interface RegoTerm {
  type: string;
  value: unknown;
}

export interface RegoRule {
  head: {
    name?: string;
    ref?: RegoTerm[];
    args?: unknown[];
    key?: unknown;
    value?: unknown;
  };
  default?: boolean;
  body?: unknown;
  else?: unknown;
}

/** The subset of `opa deps --format json`: base documents (input, data) and rules it reads. */
export interface OpaDeps {
  base?: RegoTerm[][];
  virtual?: RegoTerm[][];
}

/** The opa Palisade pins, in this checkout. */
export function pinnedOpaPath(): string {
  return join(packageRoot(), '.tools', 'bin', 'opa');
}

/**
 * Installs the pinned opa when it is missing or of another version (scripts/tools.sh opa: a
 * first build takes minutes, so its progress lines go to onOutput as they come).
 */
export async function ensureOpa(onOutput?: (text: string) => void): Promise<Opa> {
  const script = join(packageRoot(), 'scripts', 'tools.sh');
  const run = await spawnCaptured('bash', [script, 'opa'], onOutput);
  if (run.code !== 0) {
    throw new ToolError(`cannot install the pinned opa (scripts/tools.sh opa):\n${run.stderr}`);
  }
  return new Opa(pinnedOpaPath());
}

export class Opa {
  private readonly modules = new Map<string, Promise<RegoModule>>();
  private readonly depsRuns = new Map<string, Promise<OpaDeps>>();
  private readonly waiting: (() => void)[] = [];
  private running = 0;
  private readonly limit = Math.max(1, availableParallelism());

  constructor(readonly path: string) {}

  /** Runs opa with the arguments (in cwd if given); a non-zero exit is a result, not an error. */
  async run(args: readonly string[], cwd?: string): Promise<OpaRun> {
    await this.slot();
    try {
      return await spawnCaptured(this.path, args, undefined, cwd);
    } finally {
      this.release();
    }
  }

  /** Runs opa and parses its JSON output; a non-zero exit is a ToolError with opa's message. */
  async json<T>(args: readonly string[]): Promise<T> {
    const run = await this.run(args);
    if (run.code !== 0) {
      throw new ToolError(`opa ${args[0]} failed: ${(run.stderr || run.stdout).trim()}`);
    }
    return JSON.parse(run.stdout) as T;
  }

  /** `opa parse` of one file, once per version of it. */
  parse(file: string): Promise<RegoModule> {
    const key = fileVersion(file);
    let module = this.modules.get(key);
    if (!module) {
      module = this.json<RegoModule>(['parse', '--format', 'json', file]);
      this.modules.set(key, module);
    }
    return module;
  }

  /**
   * `opa deps` of a query over the given Rego files, once per version of them: the aggregator,
   * palisade.json's reads and its podSpecCache records each ask it of every policy.
   */
  deps(files: readonly string[], query: string): Promise<OpaDeps> {
    const key = [query, ...files.map(fileVersion)].join('\0\0');
    let deps = this.depsRuns.get(key);
    if (!deps) {
      deps = this.json<OpaDeps>([
        'deps',
        '--format',
        'json',
        ...files.flatMap((f) => ['-d', f]),
        query,
      ]);
      this.depsRuns.set(key, deps);
      // A failure is not kept: the next build (the Gatekeeper controller's, in the same process)
      // runs opa again.
      deps.catch(() => this.depsRuns.delete(key));
    }
    return deps;
  }

  /** The version opa reports ("1.22.2"), or "unknown". */
  async version(): Promise<string> {
    const run = await this.run(['version']);
    return /^Version: (.+)$/m.exec(run.stdout)?.[1]?.trim() ?? 'unknown';
  }

  private async slot(): Promise<void> {
    if (this.running < this.limit) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve)); // handed a slot
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

/** A file's path, size and mtime: a key that changes when the file is edited. */
function fileVersion(file: string): string {
  const { size, mtimeMs } = statSync(file);
  return `${file}\0${size}\0${mtimeMs}`;
}

function spawnCaptured(
  file: string,
  args: readonly string[],
  onStderr?: (text: string) => void,
  cwd?: string,
): Promise<OpaRun> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { encoding: 'utf8', maxBuffer: 256 << 20, cwd },
      (err, stdout, stderr) => {
        if (!err) return resolve({ code: 0, stdout, stderr });
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'number') return resolve({ code, stdout, stderr });
        reject(new ToolError(`cannot run ${file}: ${err.message}`, { cause: err }));
      },
    );
    if (onStderr) child.stderr?.on('data', (chunk: string) => onStderr(chunk));
  });
}
