// Kubernetes' side of the Pod Security comparisons: the real kube-apiserver's built-in Pod Security
// Admission (scripts/cluster.sh), asked with dry-run creates in namespaces labelled
// pod-security.kubernetes.io/enforce=<level> (+ enforce-version), and warn=<level> for workloads,
// which PSA only warns about.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { KubeObject } from '../../../src/admission/types';
import { kubeApi, type KubeApi } from '../../support/kube-api';
import type { Level } from './pss-engine';

const ROOT = resolve(__dirname, '../../..');

const WORKLOAD_PATHS: Record<string, string> = {
  Pod: '/api/v1/namespaces/{ns}/pods',
  PodTemplate: '/api/v1/namespaces/{ns}/podtemplates',
  ReplicationController: '/api/v1/namespaces/{ns}/replicationcontrollers',
  Deployment: '/apis/apps/v1/namespaces/{ns}/deployments',
  ReplicaSet: '/apis/apps/v1/namespaces/{ns}/replicasets',
  StatefulSet: '/apis/apps/v1/namespaces/{ns}/statefulsets',
  DaemonSet: '/apis/apps/v1/namespaces/{ns}/daemonsets',
  Job: '/apis/batch/v1/namespaces/{ns}/jobs',
  CronJob: '/apis/batch/v1/namespaces/{ns}/cronjobs',
};

export type PsaOutcome =
  | { kind: 'allowed'; object: KubeObject; warnings: string[] }
  | { kind: 'denied'; message: string }
  /** Refused before Pod Security ran (validation, bad request): not comparable. */
  | { kind: 'invalid'; message: string };

export interface PsaCluster {
  api: KubeApi;
  /** Namespace enforcing `level` at `version` ("privileged" level: the no-op namespace). */
  namespace(level: Level | 'privileged', version?: string): Promise<string>;
  createPod(pod: KubeObject, namespace: string): Promise<PsaOutcome>;
  /** A workload (Deployment, CronJob, ...): PSA only warns ("would violate PodSecurity"). */
  createWorkload(workload: KubeObject, namespace: string): Promise<PsaOutcome>;
  /** Dry-run adds the ephemeral containers of `pod` to the (real) Pod `name`. */
  addEphemeral(name: string, pod: KubeObject, namespace: string): Promise<PsaOutcome>;
  close(): Promise<void>;
}

/** Starts the local cluster, or reuses a running one; stops it on close only if it started it. */
export async function startPsaCluster(): Promise<PsaCluster> {
  const script = resolve(ROOT, 'scripts/cluster.sh');
  let wasRunning = true;
  try {
    execFileSync('bash', [script, 'status'], { stdio: 'ignore' });
  } catch {
    wasRunning = false;
  }
  const kubeconfig = execFileSync('bash', [script, 'up'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 1_800_000, // the first run builds kube-apiserver
  }).trim();
  const api = kubeApi(kubeconfig);
  const made = new Map<string, Promise<string>>();

  const ensureNamespace = async (name: string, labels: Record<string, string>) => {
    const body = { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
    const r = await api.call('POST', '/api/v1/namespaces', body);
    if (r.status === 409) {
      const p = await api.call(
        'PATCH',
        `/api/v1/namespaces/${name}`,
        { metadata: { labels } },
        'application/merge-patch+json',
      );
      if (p.status !== 200)
        throw new Error(`label namespace ${name}: ${p.status} ${JSON.stringify(p.body)}`);
    } else if (r.status !== 201) {
      throw new Error(`create namespace ${name}: ${r.status} ${JSON.stringify(r.body)}`);
    }
    return name;
  };

  const namespace = (level: Level | 'privileged', version = 'latest') => {
    const name = `pss-diff-${level}-${version.replace('.', '-')}`;
    let p = made.get(name);
    if (!p) {
      const l = 'pod-security.kubernetes.io';
      p = ensureNamespace(name, {
        [`${l}/enforce`]: level,
        [`${l}/enforce-version`]: version,
        [`${l}/warn`]: level,
        [`${l}/warn-version`]: version,
      });
      made.set(name, p);
    }
    return p;
  };

  const outcome = (r: Awaited<ReturnType<KubeApi['call']>>): PsaOutcome => {
    if (r.status === 200 || r.status === 201) {
      return { kind: 'allowed', object: r.body, warnings: r.warnings };
    }
    const message = String(r.body?.message ?? r.body);
    if (r.status === 403 && message.includes('violates PodSecurity'))
      return { kind: 'denied', message };
    return { kind: 'invalid', message: `${r.status}: ${message}` };
  };

  // The object's own namespace (examples say `default`) gives way to the one asked for.
  const create = async (resource: string, obj: KubeObject, ns: string) => {
    const body = { ...obj, metadata: { ...obj.metadata, namespace: ns } };
    const path = `${resource.replace('{ns}', ns)}?dryRun=All&fieldValidation=Strict`;
    return outcome(await api.call('POST', path, body));
  };

  return {
    api,
    namespace,
    createPod: (pod, ns) => create('/api/v1/namespaces/{ns}/pods', pod, ns),
    createWorkload(w, ns) {
      const path = WORKLOAD_PATHS[String(w.kind)];
      if (!path) throw new Error(`no API path for kind ${w.kind}`);
      return create(path, w, ns);
    },
    async addEphemeral(name, pod, ns) {
      const path = `/api/v1/namespaces/${ns}/pods/${name}/ephemeralcontainers?dryRun=All&fieldValidation=Strict`;
      const spec = pod.spec as { ephemeralContainers?: unknown[] } | undefined;
      const patch = { spec: { ephemeralContainers: spec?.ephemeralContainers } };
      return outcome(
        await api.call('PATCH', path, patch, 'application/strategic-merge-patch+json'),
      );
    },
    async close() {
      api.close();
      if (!wasRunning) execFileSync('bash', [script, 'down'], { stdio: 'ignore' });
    },
  };
}
