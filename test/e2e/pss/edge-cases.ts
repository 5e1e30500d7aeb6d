// Hand-written Pods on the edges of the Pod Security checks: inheritance between pod and container
// settings, spelling (ALL vs all, CAP_ prefixes), values that are allowed from a given version
// on, Windows exemptions, user namespaces, annotations vs fields, apiserver defaulting. Each
// lists what Pod Security Admission decides at some level:version pairs, so the table also
// documents the standard; the test checks both the apiserver and Palisade against it.
import type { KubeObject } from '../../../src/admission/types';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export interface EdgeCase {
  name: string;
  pod: KubeObject;
  /** "<level>:<version>" → PSA's decision. */
  expect: Record<string, 'allow' | 'deny'>;
}

const IMAGE = 'registry.k8s.io/pause:3.10';
const SC = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };

/** A Pod that passes restricted:latest, with `f` applied to a copy of it. */
export function restrictedPod(f: (spec: Obj, meta: Obj) => void = () => {}): KubeObject {
  const meta: Obj = { name: 'edge' };
  const spec: Obj = {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    initContainers: [{ name: 'init', image: IMAGE, securityContext: structuredClone(SC) }],
    containers: [{ name: 'app', image: IMAGE, securityContext: structuredClone(SC) }],
  };
  f(spec, meta);
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec };
}

const app = (spec: Obj) => spec.containers[0];
const init = (spec: Obj) => spec.initContainers[0];
const sysctl = (name: string, value = '1') =>
  restrictedPod((s) => (s.securityContext.sysctls = [{ name, value }]));
const both = (d: 'allow' | 'deny') => ({ 'baseline:latest': d, 'restricted:latest': d });

export const EDGE_CASES: EdgeCase[] = [
  {
    name: 'runAsNonRoot true on the pod, false on one container',
    pod: restrictedPod((s) => (app(s).securityContext.runAsNonRoot = false)),
    expect: { 'baseline:latest': 'allow', 'restricted:latest': 'deny' },
  },
  {
    name: 'runAsNonRoot true on every container and init container, not on the pod',
    pod: restrictedPod((s) => {
      delete s.securityContext.runAsNonRoot;
      app(s).securityContext.runAsNonRoot = true;
      init(s).securityContext.runAsNonRoot = true;
    }),
    expect: { 'restricted:latest': 'allow' },
  },
  {
    name: 'runAsNonRoot true on the containers but not on the init container',
    pod: restrictedPod((s) => {
      delete s.securityContext.runAsNonRoot;
      app(s).securityContext.runAsNonRoot = true;
    }),
    expect: { 'baseline:latest': 'allow', 'restricted:latest': 'deny' },
  },
  {
    name: 'seccomp Unconfined on the pod (fields are checked from v1.19)',
    pod: restrictedPod((s) => {
      s.securityContext.seccompProfile = { type: 'Unconfined' };
      app(s).securityContext.seccompProfile = { type: 'RuntimeDefault' };
      init(s).securityContext.seccompProfile = { type: 'RuntimeDefault' };
    }),
    expect: { 'baseline:latest': 'deny', 'baseline:v1.19': 'deny', 'baseline:v1.18': 'allow' },
  },
  {
    name: 'seccomp Localhost on the pod',
    pod: restrictedPod(
      (s) => (s.securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'p.json' }),
    ),
    expect: both('allow'),
  },
  {
    name: 'seccomp annotation unconfined on the pod (annotations are checked before v1.19)',
    pod: restrictedPod((s, m) => {
      delete s.securityContext.seccompProfile;
      app(s).securityContext.seccompProfile = { type: 'RuntimeDefault' };
      init(s).securityContext.seccompProfile = { type: 'RuntimeDefault' };
      m.annotations = { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' };
    }),
    expect: { 'baseline:v1.18': 'deny', 'baseline:v1.19': 'allow', 'restricted:latest': 'allow' },
  },
  {
    name: 'capabilities drop "all" in lower case',
    pod: restrictedPod((s) => (app(s).securityContext.capabilities.drop = ['all'])),
    expect: { 'baseline:latest': 'allow', 'restricted:latest': 'deny' },
  },
  {
    name: 'capabilities add NET_BIND_SERVICE after dropping ALL',
    pod: restrictedPod((s) => (app(s).securityContext.capabilities.add = ['NET_BIND_SERVICE'])),
    expect: both('allow'),
  },
  {
    name: 'capabilities add CAP_CHOWN (the default set is named without CAP_)',
    pod: restrictedPod((s) => (app(s).securityContext.capabilities.add = ['CAP_CHOWN'])),
    expect: both('deny'),
  },
  {
    name: 'capabilities add CHOWN (default set: baseline allows, restricted does not)',
    pod: restrictedPod((s) => (app(s).securityContext.capabilities.add = ['CHOWN'])),
    expect: {
      'baseline:latest': 'allow',
      'restricted:latest': 'deny',
      'restricted:v1.21': 'allow',
    },
  },
  {
    name: 'capabilities not dropped (restricted requires drop ALL from v1.22)',
    pod: restrictedPod((s) => delete app(s).securityContext.capabilities),
    expect: { 'restricted:v1.21': 'allow', 'restricted:v1.22': 'deny' },
  },
  {
    name: 'hostPort 0',
    pod: restrictedPod((s) => (app(s).ports = [{ containerPort: 8080, hostPort: 0 }])),
    expect: both('allow'),
  },
  {
    name: 'hostNetwork with a container port (the apiserver defaults hostPort to it)',
    pod: restrictedPod((s) => {
      s.hostNetwork = true;
      app(s).ports = [{ containerPort: 8080 }];
    }),
    expect: both('deny'),
  },
  {
    name: 'sysctl net.ipv4.tcp_notsent_lowat (safe from v1.37)',
    pod: sysctl('net.ipv4.tcp_notsent_lowat', '16384'),
    expect: { 'baseline:latest': 'allow', 'baseline:v1.37': 'allow', 'baseline:v1.36': 'deny' },
  },
  {
    name: 'sysctl net.ipv4.tcp_rmem (safe from v1.32)',
    pod: sysctl('net.ipv4.tcp_rmem', '4096 87380 6291456'),
    expect: { 'baseline:v1.32': 'allow', 'baseline:v1.31': 'deny' },
  },
  {
    name: 'sysctl net.ipv4.tcp_keepalive_time (safe from v1.29)',
    pod: sysctl('net.ipv4.tcp_keepalive_time', '600'),
    expect: { 'baseline:v1.29': 'allow', 'baseline:v1.28': 'deny' },
  },
  {
    name: 'sysctl net.ipv4.ip_local_reserved_ports (safe from v1.27)',
    pod: sysctl('net.ipv4.ip_local_reserved_ports', '8080'),
    expect: { 'baseline:v1.27': 'allow', 'baseline:v1.26': 'deny' },
  },
  {
    name: 'sysctl kernel.msgmax (never safe)',
    pod: sysctl('kernel.msgmax', '65536'),
    expect: { 'baseline:latest': 'deny', 'baseline:v1.0': 'deny' },
  },
  {
    name: 'SELinux type container_engine_t (allowed from v1.31)',
    pod: restrictedPod(
      (s) => (app(s).securityContext.seLinuxOptions = { type: 'container_engine_t' }),
    ),
    expect: { 'baseline:v1.31': 'allow', 'baseline:v1.30': 'deny' },
  },
  {
    name: 'SELinux user and role on the pod',
    pod: restrictedPod(
      (s) => (s.securityContext.seLinuxOptions = { user: 'system_u', role: 'system_r' }),
    ),
    expect: both('deny'),
  },
  {
    name: 'procMount Unmasked in a user namespace (baseline relaxes from v1.35)',
    pod: restrictedPod((s) => {
      s.hostUsers = false;
      app(s).securityContext.procMount = 'Unmasked';
    }),
    expect: { 'baseline:latest': 'allow', 'baseline:v1.34': 'deny', 'restricted:latest': 'deny' },
  },
  {
    name: 'runAsUser 0 without runAsNonRoot in a user namespace (allowed from v1.35)',
    pod: restrictedPod((s) => {
      s.hostUsers = false;
      delete s.securityContext.runAsNonRoot;
      s.securityContext.runAsUser = 0;
    }),
    expect: { 'restricted:latest': 'allow', 'restricted:v1.34': 'deny' },
  },
  {
    name: 'runAsUser 0 on a container (refused from v1.23)',
    pod: restrictedPod((s) => (app(s).securityContext.runAsUser = 0)),
    expect: { 'restricted:v1.22': 'allow', 'restricted:v1.23': 'deny' },
  },
  {
    name: 'allowPrivilegeEscalation unset (required from v1.8)',
    pod: restrictedPod((s) => delete init(s).securityContext.allowPrivilegeEscalation),
    expect: { 'restricted:v1.7': 'allow', 'restricted:v1.8': 'deny', 'baseline:latest': 'allow' },
  },
  {
    name: 'Windows pod without Linux settings (exempt from v1.25)',
    pod: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'edge' },
      spec: {
        os: { name: 'windows' },
        securityContext: { runAsNonRoot: true },
        containers: [{ name: 'app', image: IMAGE }],
      },
    },
    expect: {
      'restricted:latest': 'allow',
      'restricted:v1.25': 'allow',
      'restricted:v1.24': 'deny',
    },
  },
  {
    name: 'Windows HostProcess pod',
    pod: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'edge' },
      spec: {
        os: { name: 'windows' },
        hostNetwork: true,
        securityContext: {
          windowsOptions: { hostProcess: true, runAsUserName: 'NT AUTHORITY\\SYSTEM' },
        },
        containers: [{ name: 'app', image: IMAGE }],
      },
    },
    expect: both('deny'),
  },
  {
    name: 'volume without a source (defaulted to emptyDir)',
    pod: restrictedPod((s) => (s.volumes = [{ name: 'scratch' }])),
    expect: both('allow'),
  },
  {
    name: 'hostPath volume',
    pod: restrictedPod((s) => (s.volumes = [{ name: 'host', hostPath: { path: '/var/log' } }])),
    expect: both('deny'),
  },
  {
    name: 'nfs volume (restricted only)',
    pod: restrictedPod((s) => (s.volumes = [{ name: 'n', nfs: { server: 'nfs', path: '/x' } }])),
    expect: { 'baseline:latest': 'allow', 'restricted:latest': 'deny' },
  },
  {
    name: 'readiness probe with a host (refused from v1.34)',
    pod: restrictedPod(
      (s) => (app(s).readinessProbe = { httpGet: { port: 80, host: '10.0.0.1' } }),
    ),
    expect: { 'baseline:latest': 'deny', 'baseline:v1.34': 'deny', 'baseline:v1.33': 'allow' },
  },
  {
    name: 'preStop hook with a tcpSocket host',
    pod: restrictedPod(
      (s) => (app(s).lifecycle = { preStop: { tcpSocket: { port: 80, host: 'example.com' } } }),
    ),
    expect: both('deny'),
  },
  {
    name: 'AppArmor annotation localhost/<profile>',
    pod: restrictedPod(
      (_, m) =>
        (m.annotations = { 'container.apparmor.security.beta.kubernetes.io/app': 'localhost/p' }),
    ),
    expect: both('allow'),
  },
  {
    name: 'AppArmor annotation unconfined',
    pod: restrictedPod(
      (_, m) =>
        (m.annotations = { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' }),
    ),
    expect: both('deny'),
  },
  {
    name: 'AppArmor profile Unconfined on the pod',
    pod: restrictedPod((s) => (s.securityContext.appArmorProfile = { type: 'Unconfined' })),
    expect: both('deny'),
  },
  {
    name: 'privileged init container',
    pod: restrictedPod((s) => (init(s).securityContext = { privileged: true })),
    expect: both('deny'),
  },
];
