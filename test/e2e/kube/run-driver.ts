// Runs test/e2e/kube/driver.ts as a Node process. The build (npm run build:ts) compiles src/
// only, so the driver is transpiled here, next to it in dist/ (dist/test/e2e/kube/driver.js),
// where its imports of ../../../src/kube resolve to the compiled dist/src/kube. Type checking
// is tsc's over the whole tree (tsconfig.json includes test/).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { ROOT } from '../../support/root';

let compiled: string | undefined;

function driver(): string {
  if (compiled) return compiled;
  const source = join(ROOT, 'test', 'e2e', 'kube', 'driver.ts');
  const out = join(ROOT, 'dist', 'test', 'e2e', 'kube');
  const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
    fileName: source,
  });
  mkdirSync(out, { recursive: true });
  compiled = join(out, 'driver.js');
  writeFileSync(compiled, outputText);
  return compiled;
}

export interface DriverLine {
  event?: string;
  result?: unknown;
  [k: string]: unknown;
}

export interface DriverProcess {
  proc: ChildProcess;
  lines: DriverLine[];
  stderr(): string;
  /** Resolves with the first line (seen already or to come) that `match` accepts. */
  waitFor(match: (line: DriverLine) => boolean, ms?: number): Promise<DriverLine>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

export function startDriver(scenario: string, args: object): DriverProcess {
  const proc = spawn(process.execPath, [driver(), scenario, JSON.stringify(args)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: DriverLine[] = [];
  const waiters: Array<() => void> = [];
  let err = '';
  let buffered = '';
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buffered.slice(0, nl)) as DriverLine);
      buffered = buffered.slice(nl + 1);
    }
    waiters.forEach((w) => w());
  });
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  void exited.then(() => waiters.forEach((w) => w()));
  return {
    proc,
    lines,
    stderr: () => err,
    exited,
    waitFor(match, ms = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`${scenario}: no matching line in ${ms} ms; stderr: ${err}`));
        }, ms);
        const check = () => {
          const line = lines.find(match);
          if (line) {
            clearTimeout(timer);
            resolve(line);
          } else if (proc.exitCode !== null || proc.signalCode !== null) {
            clearTimeout(timer);
            reject(new Error(`${scenario} exited (${proc.exitCode ?? proc.signalCode}): ${err}`));
          }
        };
        waiters.push(check);
        check();
      });
    },
  };
}

/** Runs a scenario to its end; its result, or an error with its stderr. */
export async function runScenario<T = Record<string, unknown>>(
  scenario: string,
  args: object,
): Promise<T> {
  const d = startDriver(scenario, args);
  const line = await d.waitFor((l) => 'result' in l, 90_000);
  await d.exited;
  return line.result as T;
}
