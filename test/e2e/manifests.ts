// The objects the e2e tests send with kubectl, as YAML a developer would write. By default they
// satisfy the webhook suite's policies (FOCUS_POLICIES in webhook-suite.ts): a pinned image tag
// (disallow-latest-tag), cpu and memory requests and limits (require-resource-requests/-limits),
// not privileged (disallow-privileged).
import { stringify } from 'yaml';

export const IMAGE = 'registry.k8s.io/pause:3.10';

export interface ContainerOptions {
  privileged?: boolean;
  /** Default true: requests and limits for cpu and memory. */
  resources?: boolean;
}

function container(o: ContainerOptions): Record<string, unknown> {
  const c: Record<string, unknown> = { name: 'app', image: IMAGE };
  if (o.resources !== false) {
    const amounts = { cpu: '100m', memory: '64Mi' };
    c.resources = { requests: amounts, limits: amounts };
  }
  if (o.privileged) c.securityContext = { privileged: true };
  return c;
}

export function podObject(name: string, o: ContainerOptions = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: name } },
    spec: { containers: [container(o)] },
  };
}

export function deploymentObject(name: string, o: ContainerOptions = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [container(o)] } },
    },
  };
}

export const pod = (name: string, o: ContainerOptions = {}) => stringify(podObject(name, o));
export const deployment = (name: string, o: ContainerOptions = {}) =>
  stringify(deploymentObject(name, o));
