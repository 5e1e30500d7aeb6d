// OPA server as users run it instead of Palisade (behind kube-mgmt): the pinned opa, TLS with a
// certificate we make. Two targets: `opa` loads the same Rego as the bundle (library, policies and
// Palisade's generated aggregator) and is queried at POST /v1/data/palisade/violations with the
// same input the wasm gets; `opa-fair` (startOpaFair, opa-fair.ts) loads the library and policies
// with a fair entry point instead, queried as OPA users write it.
import { spawn, type ChildProcess } from 'node:child_process';
import { join, sep } from 'node:path';
import type { AdmissionReviewRequest } from '../src/admission/types';
import { loadBundle } from '../src/policy/bundle';
import { InlineEvaluator } from '../src/policy/engine';
import { freePort } from '../test/support/free-port';
import { httpsCall, type HttpsAnswer } from '../test/support/https-client';
import { writeServingCert } from '../test/support/serving-cert';
import type { EvalInput } from './eval-inputs';
import {
  fairInput,
  fairPolicies,
  fairViolations,
  OPA_FAIR_PATH,
  violationSet,
  writeFairEntry,
} from './opa-fair';
import type { BenchPolicySet } from './policy-set';

export const OPA_PATH = '/v1/data/palisade/violations';

export interface OpaServer {
  proc: ChildProcess;
  port: number;
}

/** Runs a command inside resource limits (chart-limits.ts's ChartLimits is one). */
export interface ProcessWrap {
  wrap(file: string, args: string[]): { file: string; args: string[] };
}

export async function startOpa(
  root: string,
  work: string,
  regoFiles: string[],
  limits?: ProcessWrap,
): Promise<OpaServer> {
  const { certFile: cert, keyFile: key } = writeServingCert(work, 'opa');
  const port = await freePort();
  const command = (limits?.wrap ?? ((file, args) => ({ file, args })))(
    join(root, '.tools', 'bin', 'opa'),
    [
      'run',
      '--server',
      '--addr',
      `127.0.0.1:${port}`,
      '--tls-cert-file',
      cert,
      '--tls-private-key-file',
      key,
      '--log-level',
      'error',
      ...regoFiles,
    ],
  );
  const proc = spawn(command.file, command.args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<never>((_, reject) =>
    proc.once('exit', (code) => reject(new Error(`opa exited with ${code}: ${stderr}`))),
  );
  // Ready when /health answers 200 (the policies are compiled by then).
  for (let i = 0; i < 200; i++) {
    const ok = await Promise.race([
      post(port, '/health', undefined).then(
        (r) => r.status === 200,
        () => false,
      ),
      exited,
    ]);
    if (ok) return { proc, port };
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill('SIGTERM');
  throw new Error(`opa did not become ready: ${stderr}`);
}

/** One HTTPS request to 127.0.0.1 (GET without a body), certificate not verified. */
export function post(port: number, path: string, body: string | undefined): Promise<HttpsAnswer> {
  const method = body === undefined ? 'GET' : 'POST';
  return httpsCall({ host: '127.0.0.1', port, path, method, rejectUnauthorized: false }, body);
}

/** A started `opa-fair` target: what bench/run.ts's Target needs. */
export interface FairOpaTarget extends OpaServer {
  path: string;
  /** The request body for a bench input: {"input": fairInput(...)}. */
  body: (input: string) => string;
}

/**
 * OPA server with the set's library and policies (not the aggregator) and the fair entry point
 * (opa-fair.ts), checked before it is returned: on every input, the fair query's violations must
 * be those of Palisade's wasm on its own evaluation input, else it throws (a bench of a query
 * that answers differently proves nothing). Also throws, before starting anything, when the
 * applicable policies' parameters cannot be merged (ParameterConflictError).
 */
export async function startOpaFair(
  root: string,
  work: string,
  set: BenchPolicySet,
  reviews: Readonly<Record<string, AdmissionReviewRequest>>,
  evalInputs: Readonly<Record<string, EvalInput>>,
  limits?: ProcessWrap,
): Promise<FairOpaTarget> {
  const policies = fairPolicies(set.bundle);
  const bodies = Object.fromEntries(
    Object.entries(reviews).map(([name, r]) => [
      name,
      JSON.stringify({ input: fairInput(r.request, evalInputs[name]!.json, policies) }),
    ]),
  );
  const entry = writeFairEntry(set.bundle, join(work, 'palisade_fair.rego'));
  const sources = set.regoFiles.filter((f) => f.startsWith(set.dir + sep));
  const opa = await startOpa(root, work, [...sources, entry], limits);
  try {
    const engine = new InlineEvaluator(await loadBundle(set.bundle), { maxMemoryBytes: 64 << 20 });
    for (const name of Object.keys(reviews)) {
      const answer = await post(opa.port, OPA_FAIR_PATH, bodies[name]);
      if (answer.status !== 200)
        throw new Error(`opa-fair ${name}: ${answer.status} ${answer.text}`);
      const got = violationSet(fairViolations(JSON.parse(answer.text).result));
      const bytes = new TextEncoder().encode(evalInputs[name]!.json);
      const want = violationSet(engine.evaluateSync(bytes.buffer as ArrayBuffer));
      if (JSON.stringify(got) !== JSON.stringify(want))
        throw new Error(
          `opa-fair ${name}: violations differ from Palisade's\n  opa-fair: ${got.join('\n    ')}` +
            `\n  palisade: ${want.join('\n    ')}`,
        );
      process.stderr.write(`input ${name}: opa-fair violations=${got.length}, as Palisade's\n`);
    }
  } catch (err) {
    opa.proc.kill('SIGTERM');
    throw err;
  }
  return { ...opa, path: OPA_FAIR_PATH, body: (input) => bodies[input]! };
}
