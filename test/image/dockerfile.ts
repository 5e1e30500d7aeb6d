// A small Dockerfile reader and a runner of its steps outside Docker (no engine here): each
// stage gets a directory standing for its root filesystem; COPY copies from the build context
// (minus .dockerignore) or from an earlier stage's directory; RUN runs its command with /bin/sh
// in the stage's WORKDIR, with the host's tools standing in for the base image's.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

export interface Instruction {
  op: string;
  args: string;
  line: number;
}

export interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  globalArgs: Record<string, string>;
  stages: Stage[];
}

/** Instructions, with continuation lines joined and comments dropped. */
export function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    if (!pending && (line.trim() === '' || line.trim().startsWith('#'))) return;
    if (!pending) start = i + 1;
    pending += line.endsWith('\\') ? `${line.slice(0, -1)} ` : line;
    if (line.endsWith('\\')) return;
    const m = /^\s*(\w+)\s+(.*)$/.exec(pending)!;
    instructions.push({ op: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start });
    pending = '';
  });
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args)!;
      const base = m[1]!.replace(/\$\{(\w+)\}/g, (_, v: string) => globalArgs[v] ?? '');
      stages.push({ name: m[2] ?? String(stages.length), base, instructions: [] });
    } else if (stages.length === 0 && ins.op === 'ARG') {
      const [k, v] = ins.args.split('=');
      globalArgs[k!] = v ?? '';
    } else {
      stages.at(-1)!.instructions.push(ins);
    }
  }
  return { globalArgs, stages };
}

/** Paths (relative to the context, no wildcards: the only form this project's file uses) the
 * .dockerignore leaves out. */
function ignored(context: string): Set<string> {
  const file = join(context, '.dockerignore');
  if (!existsSync(file)) return new Set();
  return new Set(
    readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#')),
  );
}

export interface RunOptions {
  context: string;
  /** Directory holding one directory per stage. */
  root: string;
  /** Stages to run (by name); the others are parsed but not run. */
  only?: string[];
  log?: (line: string) => void;
}

/** Runs the stages' COPY and RUN steps; returns each stage's directory. */
export function runStages(df: Dockerfile, opts: RunOptions): Record<string, string> {
  const dirs: Record<string, string> = {};
  const skip = ignored(opts.context);
  for (const stage of df.stages) {
    if (opts.only && !opts.only.includes(stage.name)) continue;
    const dir = join(opts.root, stage.name);
    mkdirSync(dir, { recursive: true });
    dirs[stage.name] = dir;
    let workdir = '/';
    const env: Record<string, string> = {};
    const at = (p: string) => join(dir, p.startsWith('/') ? p : join(workdir, p));
    for (const ins of stage.instructions) {
      if (ins.op === 'WORKDIR') {
        workdir = ins.args;
        mkdirSync(at('.'), { recursive: true });
      } else if (ins.op === 'ENV') {
        const [k, v] = ins.args.split('=');
        env[k!] = v ?? '';
      } else if (ins.op === 'COPY') {
        const parts = ins.args.split(/\s+/);
        const from = parts[0]!.startsWith('--from=') ? parts.shift()!.slice(7) : undefined;
        const dest = parts.pop()!;
        for (const src of parts) {
          if (!from && skip.has(src.split('/')[0]!))
            throw new Error(`COPY ${src}: excluded by .dockerignore`);
          const source = from
            ? join(dirs[from] ?? fail(`no stage ${from}`), src)
            : join(opts.context, src);
          const target =
            dest.endsWith('/') || parts.length > 1 ? join(at(dest), basename(src)) : at(dest);
          copy(source, target, (p) => !from && skip.has(relative(opts.context, p)));
        }
      } else if (ins.op === 'RUN') {
        opts.log?.(`[${stage.name}] RUN ${ins.args}`);
        execFileSync('/bin/sh', ['-c', ins.args], {
          cwd: at('.'),
          env: { ...process.env, ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
          maxBuffer: 64 << 20,
        });
      }
    }
  }
  return dirs;
}

function copy(source: string, target: string, excluded: (path: string) => boolean): void {
  if (!existsSync(source)) throw new Error(`COPY: ${source} does not exist`);
  if (statSync(source).isDirectory()) {
    cpSync(source, target, { recursive: true, filter: (p) => !excluded(p) });
  } else {
    mkdirSync(join(target, '..'), { recursive: true });
    cpSync(source, target);
  }
}

function fail(message: string): never {
  throw new Error(message);
}

/** The exec-form JSON array of ENTRYPOINT or CMD in a stage. */
export function execForm(stage: Stage, op: 'ENTRYPOINT' | 'CMD'): string[] {
  const ins = stage.instructions.filter((i) => i.op === op).at(-1);
  if (!ins) return [];
  return JSON.parse(ins.args) as string[];
}
