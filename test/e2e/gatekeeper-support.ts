// What the Gatekeeper e2e files share: the chart's ConstraintTemplate CRD as the real helm
// renders it, kubectl that throws on failure, and a bounded condition poll.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { kubectl } from '../support/cluster';
import { ROOT } from '../support/root';

/** templates/gatekeeper-crd.yaml rendered with gatekeeper.enabled (no cluster: lookup is empty). */
export function templateCrd(): string {
  const chart = join(ROOT, 'charts/palisade');
  const args = ['template', 'palisade', chart, '--set', 'gatekeeper.enabled=true'];
  return execFileSync(
    join(ROOT, '.tools/bin/helm'),
    [...args, '--show-only', 'templates/gatekeeper-crd.yaml'],
    {
      encoding: 'utf8',
    },
  );
}

/** Applies the CRD and waits until it is established. */
export async function installTemplateCrd(): Promise<void> {
  await kubectlOk(['apply', '-f', '-'], templateCrd());
  await kubectlOk([
    'wait',
    '--for=condition=established',
    '--timeout=60s',
    'crd/constrainttemplates.templates.gatekeeper.sh',
  ]);
}

/** kubectl; throws with its stderr on a non-zero exit. */
export async function kubectlOk(args: string[], stdin?: string): Promise<string> {
  const r = await kubectl(args, stdin);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/**
 * Polls `probe` until it returns a value, for at most `ms`; a probe that throws counts as not yet
 * (its error goes in the timeout's message, with `context()`, e.g. Palisade's output).
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  context: () => string = () => '',
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    const v = await probe().catch((e: unknown) => ((last = e), undefined));
    if (v !== undefined) return v;
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${ms} ms (${String(last)})\n${context()}`);
    }
    await new Promise((r) => setTimeout(r, 200)); // interval of a bounded condition poll
  }
}
