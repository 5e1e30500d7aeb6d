// The built-in Kubernetes kinds, so a manifest becomes the AdmissionRequest the apiserver would
// send (kind, resource plural, namespaced or not) and a typo in a built-in kind or a removed API
// version is caught instead of silently matching no policy. Kinds of other groups (custom
// resources) are accepted: their plural and scope come from a CustomResourceDefinition in the
// same input when there is one, else from a best-effort guess (docs/cli.md).

export interface KindInfo {
  group: string;
  version: string;
  kind: string;
  /** Lower-case plural, as in the REST path and AdmissionRequest.resource.resource. */
  resource: string;
  namespaced: boolean;
}

type Row = [kind: string, resource: string, namespaced: boolean];
const NS = true;
const CLUSTER = false;

/** group → served GA versions and kinds (Kubernetes 1.30+; beta APIs are off by default). */
const BUILTIN: Record<string, { versions: string[]; kinds: Row[] }> = {
  '': {
    versions: ['v1'],
    kinds: [
      ['Pod', 'pods', NS],
      ['Service', 'services', NS],
      ['ConfigMap', 'configmaps', NS],
      ['Secret', 'secrets', NS],
      ['ServiceAccount', 'serviceaccounts', NS],
      ['PersistentVolumeClaim', 'persistentvolumeclaims', NS],
      ['ReplicationController', 'replicationcontrollers', NS],
      ['PodTemplate', 'podtemplates', NS],
      ['Endpoints', 'endpoints', NS],
      ['Event', 'events', NS],
      ['LimitRange', 'limitranges', NS],
      ['ResourceQuota', 'resourcequotas', NS],
      ['Binding', 'bindings', NS],
      ['Namespace', 'namespaces', CLUSTER],
      ['Node', 'nodes', CLUSTER],
      ['PersistentVolume', 'persistentvolumes', CLUSTER],
    ],
  },
  apps: {
    versions: ['v1'],
    kinds: [
      ['Deployment', 'deployments', NS],
      ['ReplicaSet', 'replicasets', NS],
      ['StatefulSet', 'statefulsets', NS],
      ['DaemonSet', 'daemonsets', NS],
      ['ControllerRevision', 'controllerrevisions', NS],
    ],
  },
  batch: {
    versions: ['v1'],
    kinds: [
      ['Job', 'jobs', NS],
      ['CronJob', 'cronjobs', NS],
    ],
  },
  autoscaling: {
    versions: ['v1', 'v2'],
    kinds: [['HorizontalPodAutoscaler', 'horizontalpodautoscalers', NS]],
  },
  policy: { versions: ['v1'], kinds: [['PodDisruptionBudget', 'poddisruptionbudgets', NS]] },
  'networking.k8s.io': {
    versions: ['v1'],
    kinds: [
      ['Ingress', 'ingresses', NS],
      ['NetworkPolicy', 'networkpolicies', NS],
      ['IngressClass', 'ingressclasses', CLUSTER],
      ['IPAddress', 'ipaddresses', CLUSTER],
      ['ServiceCIDR', 'servicecidrs', CLUSTER],
    ],
  },
  'rbac.authorization.k8s.io': {
    versions: ['v1'],
    kinds: [
      ['Role', 'roles', NS],
      ['RoleBinding', 'rolebindings', NS],
      ['ClusterRole', 'clusterroles', CLUSTER],
      ['ClusterRoleBinding', 'clusterrolebindings', CLUSTER],
    ],
  },
  'storage.k8s.io': {
    versions: ['v1'],
    kinds: [
      ['StorageClass', 'storageclasses', CLUSTER],
      ['VolumeAttachment', 'volumeattachments', CLUSTER],
      ['CSIDriver', 'csidrivers', CLUSTER],
      ['CSINode', 'csinodes', CLUSTER],
      ['CSIStorageCapacity', 'csistoragecapacities', NS],
      ['VolumeAttributesClass', 'volumeattributesclasses', CLUSTER],
    ],
  },
  'admissionregistration.k8s.io': {
    versions: ['v1'],
    kinds: [
      ['ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', CLUSTER],
      ['MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', CLUSTER],
      ['ValidatingAdmissionPolicy', 'validatingadmissionpolicies', CLUSTER],
      ['ValidatingAdmissionPolicyBinding', 'validatingadmissionpolicybindings', CLUSTER],
    ],
  },
  'apiextensions.k8s.io': {
    versions: ['v1'],
    kinds: [['CustomResourceDefinition', 'customresourcedefinitions', CLUSTER]],
  },
  'apiregistration.k8s.io': { versions: ['v1'], kinds: [['APIService', 'apiservices', CLUSTER]] },
  'scheduling.k8s.io': {
    versions: ['v1'],
    kinds: [['PriorityClass', 'priorityclasses', CLUSTER]],
  },
  'coordination.k8s.io': { versions: ['v1'], kinds: [['Lease', 'leases', NS]] },
  'discovery.k8s.io': { versions: ['v1'], kinds: [['EndpointSlice', 'endpointslices', NS]] },
  'node.k8s.io': { versions: ['v1'], kinds: [['RuntimeClass', 'runtimeclasses', CLUSTER]] },
  'certificates.k8s.io': {
    versions: ['v1'],
    kinds: [['CertificateSigningRequest', 'certificatesigningrequests', CLUSTER]],
  },
  'events.k8s.io': { versions: ['v1'], kinds: [['Event', 'events', NS]] },
  'flowcontrol.apiserver.k8s.io': {
    versions: ['v1'],
    kinds: [
      ['FlowSchema', 'flowschemas', CLUSTER],
      ['PriorityLevelConfiguration', 'prioritylevelconfigurations', CLUSTER],
    ],
  },
  'resource.k8s.io': {
    versions: ['v1'],
    kinds: [
      ['ResourceClaim', 'resourceclaims', NS],
      ['ResourceClaimTemplate', 'resourceclaimtemplates', NS],
      ['DeviceClass', 'deviceclasses', CLUSTER],
      ['ResourceSlice', 'resourceslices', CLUSTER],
    ],
  },
};

/** Plural and scope of a custom resource, from its CustomResourceDefinition. */
export interface CustomKind {
  resource: string;
  namespaced: boolean;
}

/** Custom kinds keyed by `group/Kind`. */
export type CustomKinds = ReadonlyMap<string, CustomKind>;

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** Built-in groups are those of Kubernetes itself: the core group and *.k8s.io plus a few. */
export function isBuiltinGroup(group: string): boolean {
  return group in BUILTIN || group === 'extensions' || group.endsWith('.k8s.io');
}

/** Levenshtein distance, for "did you mean" on a mistyped kind. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        prev[j]! + 1,
        cur[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Resolves apiVersion + kind. Throws a message naming the problem for a kind or version that
 * Kubernetes does not serve in a built-in group.
 */
export function resolveKind(apiVersion: string, kind: string, custom: CustomKinds): KindInfo {
  const { group, version } = splitApiVersion(apiVersion);
  const builtin = BUILTIN[group];
  if (builtin) {
    const row = builtin.kinds.find((r) => r[0] === kind);
    if (!row) {
      const near = builtin.kinds.find(
        (r) => editDistance(r[0].toLowerCase(), kind.toLowerCase()) <= 2,
      );
      const hint = near ? `; did you mean ${near[0]}?` : '';
      throw new Error(`unknown kind ${kind} in ${apiVersion}${hint}`);
    }
    if (!builtin.versions.includes(version)) {
      const served = builtin.versions.map((v) => (group ? `${group}/${v}` : v)).join(', ');
      throw new Error(`${apiVersion} ${kind} is not served by Kubernetes; use ${served}`);
    }
    return { group, version, kind, resource: row[1], namespaced: row[2] };
  }
  if (group === 'extensions') {
    throw new Error(
      `${apiVersion} ${kind}: the extensions API group is no longer served by Kubernetes (apps/v1, networking.k8s.io/v1 replace it)`,
    );
  }
  if (isBuiltinGroup(group)) {
    throw new Error(`unknown API group ${group} (apiVersion ${apiVersion}, kind ${kind})`);
  }
  const crd = custom.get(`${group}/${kind}`);
  if (crd) return { group, version, kind, ...crd };
  // No CRD in the input: guess the plural, and a namespaced scope unless the kind says Cluster.
  return {
    group,
    version,
    kind,
    resource: guessPlural(kind),
    namespaced: !kind.startsWith('Cluster'),
  };
}

/** English plural of a lower-cased kind: a guess, for custom kinds without their CRD at hand. */
export function guessPlural(kind: string): string {
  const k = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(k)) return `${k}es`;
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

/** Reads the custom kinds that CustomResourceDefinitions among the objects declare. */
export function customKindsOf(objects: readonly unknown[]): Map<string, CustomKind> {
  const out = new Map<string, CustomKind>();
  for (const o of objects) {
    const crd = o as {
      kind?: unknown;
      apiVersion?: unknown;
      spec?: { group?: unknown; scope?: unknown; names?: { kind?: unknown; plural?: unknown } };
    };
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    const { group, scope, names } = crd.spec ?? {};
    if (typeof group !== 'string' || typeof names?.kind !== 'string') continue;
    out.set(`${group}/${names.kind}`, {
      resource: typeof names.plural === 'string' ? names.plural : guessPlural(names.kind),
      namespaced: scope !== 'Cluster',
    });
  }
  return out;
}
