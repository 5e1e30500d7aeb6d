// Generated Pods for the Pod Security differential test. A Pod starts from a base that passes the
// restricted level (Linux, with the settings on the pod or on each container) or a Windows base,
// and gets 0-4 mutations, each touching the fields of one Pod Security check with values on both
// sides of the line. So the corpus holds allowed and refused Pods at both levels, and most of the
// refused ones are refused for one or two reasons only (the cases where a policy can go wrong).
import fc from 'fast-check';
import type { KubeObject } from '../../../src/admission/types';
import { mutate, VOLUMES } from './pod-mutations';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const CAPS = [
  'ALL',
  'all',
  'NET_BIND_SERVICE',
  'NET_RAW',
  'SYS_ADMIN',
  'CHOWN',
  'KILL',
  'SETUID',
  'AUDIT_WRITE',
  'NET_ADMIN',
  'SYS_TIME',
  'CAP_CHOWN',
];
const SYSCTLS = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_slow_start_after_idle',
  'net.ipv4.tcp_notsent_lowat',
  'kernel.msgmax',
  'net.core.somaxconn',
  'kernel.sem',
  'net.ipv4.tcp_fin_timeout',
];
export interface PodCase {
  base: 'linux-pod-level' | 'linux-container-level' | 'windows';
  mutations: Obj[];
  pod: KubeObject;
}

const idx = fc.nat({ max: 7 });
const maybeHost = fc.constantFrom('', '10.0.0.9', 'example.com');
const seccomp = fc.oneof(
  fc.constantFrom({ type: 'RuntimeDefault' }, { type: 'Unconfined' }),
  fc.constant({ type: 'Localhost', localhostProfile: 'profiles/audit.json' }),
);
const apparmor = fc.oneof(
  fc.constantFrom({ type: 'RuntimeDefault' }, { type: 'Unconfined' }),
  fc.constant({ type: 'Localhost', localhostProfile: 'k8s-apparmor-example' }),
);
const selinux = fc.record(
  {
    type: fc.constantFrom(
      '',
      'container_t',
      'container_init_t',
      'container_kvm_t',
      'container_engine_t',
      'spc_t',
    ),
    user: fc.constantFrom('', 'system_u'),
    role: fc.constantFrom('', 'system_r'),
    level: fc.constantFrom('s0:c123,c456'),
  },
  { requiredKeys: [] },
);
const handler = fc.oneof(
  maybeHost.map((host) => ({ httpGet: { port: 8080, ...(host ? { host } : {}) } })),
  maybeHost.map((host) => ({ tcpSocket: { port: 8080, ...(host ? { host } : {}) } })),
);

// Each mutation names the check it aims at; `c` picks a container (modulo their number).
const linuxMutation: fc.Arbitrary<Obj> = fc.oneof(
  fc.record({
    op: fc.constant('hostNamespace'),
    field: fc.constantFrom('hostNetwork', 'hostPID', 'hostIPC'),
    value: fc.boolean(),
  }),
  fc.record({ op: fc.constant('privileged'), c: idx, value: fc.boolean() }),
  fc.record({ op: fc.constant('capAdd'), c: idx, value: fc.subarray(CAPS, { maxLength: 3 }) }),
  fc.record({
    op: fc.constant('capDrop'),
    c: idx,
    value: fc.option(fc.subarray(CAPS, { maxLength: 2 })),
  }),
  fc.record({ op: fc.constant('volume'), type: fc.constantFrom(...Object.keys(VOLUMES)) }),
  fc.record({ op: fc.constant('hostPort'), c: idx, value: fc.constantFrom(0, 8080) }),
  fc.record({ op: fc.constant('appArmor'), c: fc.option(idx), value: apparmor }),
  fc.record({
    op: fc.constant('appArmorAnnotation'),
    c: idx,
    value: fc.constantFrom('runtime/default', 'unconfined', 'localhost/k8s-apparmor-example'),
  }),
  fc.record({ op: fc.constant('seLinux'), c: fc.option(idx), value: selinux }),
  fc.record({
    op: fc.constant('procMount'),
    c: idx,
    value: fc.constantFrom('Default', 'Unmasked'),
    hostUsers: fc.option(fc.boolean()),
  }),
  fc.record({ op: fc.constant('hostUsers'), value: fc.boolean() }),
  fc.record({ op: fc.constant('seccomp'), c: fc.option(idx), value: fc.option(seccomp) }),
  fc.record({
    op: fc.constant('seccompAnnotation'),
    c: fc.option(idx),
    value: fc.constantFrom('runtime/default', 'docker/default', 'unconfined', 'localhost/p.json'),
  }),
  fc.record({
    op: fc.constant('sysctl'),
    value: fc.subarray(SYSCTLS, { minLength: 1, maxLength: 2 }),
  }),
  fc.record({
    op: fc.constant('probe'),
    c: idx,
    field: fc.constantFrom(
      'livenessProbe',
      'readinessProbe',
      'startupProbe',
      'postStart',
      'preStop',
    ),
    value: handler,
  }),
  fc.record({
    op: fc.constant('allowPrivilegeEscalation'),
    c: idx,
    value: fc.option(fc.boolean()),
  }),
  fc.record({ op: fc.constant('runAsNonRoot'), c: fc.option(idx), value: fc.option(fc.boolean()) }),
  fc.record({ op: fc.constant('runAsUser'), c: fc.option(idx), value: fc.constantFrom(0, 1000) }),
  fc.record({ op: fc.constant('os'), value: fc.constant('linux') }),
);

const windowsMutation: fc.Arbitrary<Obj> = fc.oneof(
  fc.record({ op: fc.constant('hostProcess'), c: fc.option(idx) }),
  fc.record({ op: fc.constant('runAsNonRoot'), c: fc.option(idx), value: fc.option(fc.boolean()) }),
  fc.record({
    op: fc.constant('volume'),
    type: fc.constantFrom('emptyDir', 'hostPath', 'configMap', 'nfs', 'none'),
  }),
  fc.record({ op: fc.constant('hostPort'), c: idx, value: fc.constantFrom(0, 8080) }),
  fc.record({
    op: fc.constant('probe'),
    c: idx,
    field: fc.constantFrom('livenessProbe', 'readinessProbe'),
    value: handler,
  }),
);

function container(name: string, podLevel: boolean): Obj {
  return {
    name,
    image: 'registry.k8s.io/pause:3.10',
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      ...(podLevel ? {} : { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }),
    },
  };
}

function basePod(base: PodCase['base'], containers: number, inits: number): Obj {
  const windows = base === 'windows';
  const podLevel = base === 'linux-pod-level';
  const mk = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) =>
      windows
        ? { name: `${prefix}${i}`, image: 'mcr.microsoft.com/windows/nanoserver:ltsc2022' }
        : container(`${prefix}${i}`, podLevel),
    );
  const spec: Obj = { containers: mk('app', containers) };
  if (inits > 0) spec.initContainers = mk('init', inits);
  if (windows) {
    spec.os = { name: 'windows' };
    spec.securityContext = { runAsNonRoot: true };
  } else if (podLevel) {
    spec.securityContext = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
  }
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pss-diff' }, spec };
}

export const podCase: fc.Arbitrary<PodCase> = fc
  .tuple(
    fc.constantFrom(
      'linux-pod-level',
      'linux-container-level',
      'linux-pod-level',
      'windows',
    ) as fc.Arbitrary<PodCase['base']>,
    fc.integer({ min: 1, max: 2 }),
    fc.integer({ min: 0, max: 1 }),
    fc.array(linuxMutation, { maxLength: 4 }),
    fc.array(windowsMutation, { maxLength: 3 }),
  )
  .map(([base, containers, inits, linux, windows]) => {
    const mutations = base === 'windows' ? windows : linux;
    const pod = basePod(base, containers, inits);
    for (const m of mutations) mutate(pod, m);
    return { base, mutations, pod: pod as KubeObject };
  });
