// Generated Pods for the Pod Security differential test. A Pod starts from a base that passes the
// restricted level (Linux, with the settings on the pod or on each container) or a Windows base,
// and gets 0-4 mutations, each touching the fields of one Pod Security check with values on both
// sides of the line. So the corpus holds allowed and refused Pods at both levels, and most of the
// refused ones are refused for one or two reasons only (the cases where a policy can go wrong).
import fc from 'fast-check';
import type { KubeObject } from '../../../src/admission/types';

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
const SYSCTL_VALUES: Record<string, string> = {
  'net.ipv4.ip_local_port_range': '1024 65000',
  'net.ipv4.tcp_rmem': '4096 87380 6291456',
  'kernel.sem': '250 32000 100 128',
  'net.ipv4.ip_local_reserved_ports': '8080',
};
// One minimal valid source per volume type of the Pod API (the apiserver may still refuse the
// removed in-tree ones; such Pods are counted as invalid and skipped).
const VOLUMES: Record<string, Obj> = {
  emptyDir: {},
  configMap: { name: 'cm' },
  secret: { secretName: 's' },
  persistentVolumeClaim: { claimName: 'c' },
  downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] },
  projected: { sources: [] },
  csi: { driver: 'csi.example.com' },
  ephemeral: {
    volumeClaimTemplate: {
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    },
  },
  image: { reference: 'registry.k8s.io/pause:3.10' },
  hostPath: { path: '/var/lib' },
  nfs: { server: 'nfs.example.com', path: '/export' },
  iscsi: { targetPortal: '10.0.0.5:3260', iqn: 'iqn.2001-04.com.example:storage', lun: 0 },
  rbd: { monitors: ['10.0.0.6:6789'], image: 'img' },
  cephfs: { monitors: ['10.0.0.6:6789'] },
  fc: { targetWWNs: ['500a0982991b8dc5'], lun: 2 },
  flexVolume: { driver: 'example.com/flex' },
  gcePersistentDisk: { pdName: 'disk' },
  awsElasticBlockStore: { volumeID: 'vol-1' },
  azureFile: { secretName: 'az', shareName: 'share' },
  portworxVolume: { volumeID: 'px' },
  none: {}, // a volume without a source: the apiserver defaults it to emptyDir
};

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

/** Applies one mutation in place. */
function mutate(pod: Obj, m: Obj): void {
  const spec = pod.spec;
  const all: Obj[] = [...spec.containers, ...(spec.initContainers ?? [])];
  const pick = (c: number) => all[c % all.length]!;
  const sc = (o: Obj) => (o.securityContext ??= {});
  const target = (c: number | null) => (c === null ? spec : pick(c));
  const annotations = () => (pod.metadata.annotations ??= {});
  const setOrDelete = (o: Obj, key: string, v: unknown) => {
    if (v === null) delete o[key];
    else o[key] = v;
  };
  switch (m.op) {
    case 'hostNamespace':
      spec[m.field] = m.value;
      break;
    case 'privileged':
      sc(pick(m.c)).privileged = m.value;
      break;
    case 'capAdd':
      (sc(pick(m.c)).capabilities ??= {}).add = m.value;
      break;
    case 'capDrop':
      if (m.value === null) delete sc(pick(m.c)).capabilities;
      else (sc(pick(m.c)).capabilities ??= {}).drop = m.value;
      break;
    case 'volume': {
      const vols = (spec.volumes ??= []);
      const name = `v${vols.length}`;
      vols.push(m.type === 'none' ? { name } : { name, [m.type]: VOLUMES[m.type] });
      break;
    }
    case 'hostPort':
      pick(m.c).ports = [{ containerPort: 8080, ...(m.value ? { hostPort: m.value } : {}) }];
      break;
    case 'appArmor':
      sc(target(m.c)).appArmorProfile = m.value;
      break;
    case 'appArmorAnnotation':
      annotations()[`container.apparmor.security.beta.kubernetes.io/${pick(m.c).name}`] = m.value;
      break;
    case 'seLinux':
      sc(target(m.c)).seLinuxOptions = m.value;
      break;
    case 'procMount':
      // Unmasked is valid only in a user namespace (hostUsers: false).
      sc(pick(m.c)).procMount = m.value;
      if (m.hostUsers !== null) spec.hostUsers = m.hostUsers;
      break;
    case 'hostUsers':
      spec.hostUsers = m.value;
      break;
    case 'seccomp':
      setOrDelete(sc(target(m.c)), 'seccompProfile', m.value);
      break;
    case 'seccompAnnotation': {
      const key =
        m.c === null
          ? 'seccomp.security.alpha.kubernetes.io/pod'
          : `container.seccomp.security.alpha.kubernetes.io/${pick(m.c).name}`;
      annotations()[key] = m.value;
      break;
    }
    case 'sysctl':
      sc(spec).sysctls = m.value.map((name: string) => ({
        name,
        value: SYSCTL_VALUES[name] ?? '1',
      }));
      break;
    case 'probe': {
      // Probes and lifecycle hooks belong to regular containers only.
      const c = spec.containers[m.c % spec.containers.length];
      if (m.field === 'postStart' || m.field === 'preStop') (c.lifecycle ??= {})[m.field] = m.value;
      else c[m.field] = m.value;
      break;
    }
    case 'allowPrivilegeEscalation':
      setOrDelete(sc(pick(m.c)), 'allowPrivilegeEscalation', m.value);
      break;
    case 'runAsNonRoot':
      setOrDelete(sc(target(m.c)), 'runAsNonRoot', m.value);
      break;
    case 'runAsUser':
      sc(target(m.c)).runAsUser = m.value;
      break;
    case 'os':
      spec.os = { name: m.value };
      break;
    case 'hostProcess':
      // Valid only with hostNetwork and on every container alike; the pod-level flag covers them.
      spec.hostNetwork = true;
      (sc(spec).windowsOptions ??= {}).hostProcess = true;
      if (m.c !== null) (sc(pick(m.c)).windowsOptions ??= {}).hostProcess = true;
      break;
    default:
      throw new Error(`unknown mutation ${m.op}`);
  }
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
