// Namespaces for e2e tests. The local cluster has no namespace controller, so a deleted namespace
// stays Terminating forever: every test makes its own, under a name no earlier run used.
import { randomBytes } from 'node:crypto';
import { kubectl } from '../support/cluster';

/** `<prefix>-<8 hex>`: a valid namespace name (prefix at most 54 characters). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Creates a namespace with these labels (kubectl create); throws with kubectl's stderr. */
export async function createNamespace(
  name: string,
  labels: Record<string, string> = {},
): Promise<string> {
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
  const r = await kubectl(['create', '-f', '-'], JSON.stringify(ns));
  if (r.code !== 0) throw new Error(`creating namespace ${name}: ${r.stderr}`);
  return name;
}

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

export interface PodSecurityLabels {
  /** pod-security.kubernetes.io/enforce: Pods that violate it are refused. */
  enforce: PodSecurityLevel;
  /** enforce-version, `latest` or `v1.N`; default latest. */
  version?: string;
  /** warn (and warn-version = version): kubectl prints `Warning: would violate PodSecurity`. */
  warn?: PodSecurityLevel;
  /** audit (and audit-version = version): an annotation in the apiserver's audit log only. */
  audit?: PodSecurityLevel;
}

/** The labels Kubernetes' built-in Pod Security Admission reads on a namespace. */
export function podSecurityLabels(p: PodSecurityLabels): Record<string, string> {
  const version = p.version ?? 'latest';
  const prefix = 'pod-security.kubernetes.io';
  const labels: Record<string, string> = {
    [`${prefix}/enforce`]: p.enforce,
    [`${prefix}/enforce-version`]: version,
  };
  for (const mode of ['warn', 'audit'] as const) {
    const level = p[mode];
    if (level === undefined) continue;
    labels[`${prefix}/${mode}`] = level;
    labels[`${prefix}/${mode}-version`] = version;
  }
  return labels;
}

/**
 * A fresh namespace in which the apiserver's own Pod Security Admission enforces `p.enforce`, to
 * compare Palisade's Pod Security policies with Kubernetes' decisions. `extra` adds labels (e.g.
 * the ones a webhook's namespaceSelector matches).
 */
export function createPodSecurityNamespace(
  prefix: string,
  p: PodSecurityLabels,
  extra: Record<string, string> = {},
): Promise<string> {
  return createNamespace(uniqueName(prefix), { ...extra, ...podSecurityLabels(p) });
}
