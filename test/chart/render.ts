// Renders the chart with the real, pinned helm (.tools/bin) and parses the output with the
// yaml package, so tests assert on objects rather than text.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { YAML_VERSION } from '../../src/policy/source/yaml';

export const ROOT = join(__dirname, '..', '..');
export const CHART = join(ROOT, 'charts', 'palisade');
export const HELMS = { helm: join(ROOT, '.tools/bin/helm'), helm4: join(ROOT, '.tools/bin/helm4') };
export type Helm = keyof typeof HELMS;

/** The scenario values files under charts/palisade/ci, by file name. */
export const SCENARIOS = readdirSync(join(CHART, 'ci'))
  .filter((f) => f.endsWith('.yaml'))
  .sort();

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RenderOptions {
  /** Values files: a scenario name from ci/ or a path. */
  values?: string[];
  /** --set-json overrides, key path to value. */
  set?: Record<string, unknown>;
  release?: string;
  namespace?: string;
  helm?: Helm;
  /** Also render the helm test pod and NOTES (helm template leaves NOTES out otherwise). */
  extraArgs?: string[];
}

function args(o: RenderOptions): string[] {
  const a = ['template', o.release ?? 'palisade', CHART, '-n', o.namespace ?? 'palisade-system'];
  for (const v of o.values ?? []) a.push('-f', v.includes('/') ? v : join(CHART, 'ci', v));
  for (const [k, v] of Object.entries(o.set ?? {}))
    a.push('--set-json', `${k}=${JSON.stringify(v)}`);
  return [...a, ...(o.extraArgs ?? [])];
}

/** `helm template` output as text; throws with helm's stderr on failure. */
export function renderText(o: RenderOptions = {}): string {
  return execFileSync(HELMS[o.helm ?? 'helm'], args(o), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function render(o: RenderOptions = {}): K8sObject[] {
  return parseManifests(renderText(o));
}

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text, { version: YAML_VERSION })
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`invalid YAML rendered: ${d.errors[0]?.message}`);
      return d.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

/** helm's error message when rendering fails; throws if it renders. */
export function renderError(o: RenderOptions): string {
  try {
    renderText(o);
  } catch (err) {
    return String((err as { stderr?: string }).stderr ?? err);
  }
  throw new Error('rendered, but was expected to fail');
}

export function find(objects: K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.filter(
    (o) => o.kind === kind && (name === undefined || o.metadata.name === name),
  );
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  }
  return found[0]!;
}

export function kinds(objects: K8sObject[]): string[] {
  return objects.map((o) => o.kind).sort();
}

/** charts/palisade/files/policies.json: what the chart knows of each policy. */
export interface PolicySummary {
  policies: Record<string, { action: string; kinds: string[]; operations: string[] }>;
  kinds: Record<string, { group: string; version: string; resources: string[] }>;
}
export const POLICY_SUMMARY: PolicySummary = JSON.parse(
  readFileSync(join(CHART, 'files', 'policies.json'), 'utf8'),
);

/**
 * The rendering without the background audit's RBAC (templates/audit-rbac.yaml: names ending in
 * -audit and -audit-lease), for tests of the webhook's own permissions; test/chart/audit.test.ts
 * asserts the audit's.
 */
export function withoutAuditRbac(objects: K8sObject[]): K8sObject[] {
  const rbac = ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'];
  return objects.filter(
    (o) => !(rbac.includes(o.kind) && /-audit(-lease)?$/.test(o.metadata.name)),
  );
}
