// How a generated Pod is changed: each mutation (a plain object naming the check it aims at, built
// by pod-arbitraries.ts) is applied in place to a Pod, with values the apiserver accepts.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const SYSCTL_VALUES: Record<string, string> = {
  'net.ipv4.ip_local_port_range': '1024 65000',
  'net.ipv4.tcp_rmem': '4096 87380 6291456',
  'kernel.sem': '250 32000 100 128',
  'net.ipv4.ip_local_reserved_ports': '8080',
};
// One minimal valid source per volume type of the Pod API (the apiserver may still refuse the
// removed in-tree ones; such Pods are counted as invalid and skipped).
export const VOLUMES: Record<string, Obj> = {
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

/** Applies one mutation in place. */
export function mutate(pod: Obj, m: Obj): void {
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
