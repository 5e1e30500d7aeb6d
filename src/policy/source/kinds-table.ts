// The rows of the kinds table (kinds.ts derives everything from them): per API group, the GA
// versions Kubernetes serves and each kind's plural, scope, webhook resources and pod-template
// path. The order is kept in what is generated from it (the chart's kinds): add rows at the end
// of their group.

export interface Row {
  kind: string;
  resource: string;
  namespaced: boolean;
  webhookResources?: readonly string[];
  podTemplate?: readonly string[];
}

const ns = (kind: string, resource: string, extra: Partial<Row> = {}): Row => ({
  kind,
  resource,
  namespaced: true,
  ...extra,
});
const cluster = (kind: string, resource: string): Row => ({ kind, resource, namespaced: false });
const TEMPLATE = ['spec', 'template'] as const;

/**
 * group → served GA versions (oldest first; the last is preferred) and kinds (Kubernetes 1.30+).
 */
export const BUILTIN: Record<string, { versions: readonly string[]; kinds: readonly Row[] }> = {
  '': {
    versions: ['v1'],
    kinds: [
      // pods/ephemeralcontainers: `kubectl debug` adds containers through that subresource, and
      // pod policies must see them.
      ns('Pod', 'pods', {
        webhookResources: ['pods', 'pods/ephemeralcontainers'],
        podTemplate: [],
      }),
      ns('Service', 'services'),
      ns('ConfigMap', 'configmaps'),
      ns('Secret', 'secrets'),
      ns('ServiceAccount', 'serviceaccounts'),
      ns('PersistentVolumeClaim', 'persistentvolumeclaims'),
      ns('ReplicationController', 'replicationcontrollers', { podTemplate: TEMPLATE }),
      ns('PodTemplate', 'podtemplates', { podTemplate: ['template'] }),
      ns('Endpoints', 'endpoints'),
      ns('Event', 'events'),
      ns('LimitRange', 'limitranges'),
      ns('ResourceQuota', 'resourcequotas'),
      ns('Binding', 'bindings'),
      cluster('Namespace', 'namespaces'),
      cluster('Node', 'nodes'),
      cluster('PersistentVolume', 'persistentvolumes'),
    ],
  },
  apps: {
    versions: ['v1'],
    kinds: [
      ns('Deployment', 'deployments', { podTemplate: TEMPLATE }),
      ns('ReplicaSet', 'replicasets', { podTemplate: TEMPLATE }),
      ns('StatefulSet', 'statefulsets', { podTemplate: TEMPLATE }),
      ns('DaemonSet', 'daemonsets', { podTemplate: TEMPLATE }),
      ns('ControllerRevision', 'controllerrevisions'),
    ],
  },
  batch: {
    versions: ['v1'],
    kinds: [
      ns('Job', 'jobs', { podTemplate: TEMPLATE }),
      ns('CronJob', 'cronjobs', { podTemplate: ['spec', 'jobTemplate', 'spec', 'template'] }),
    ],
  },
  autoscaling: {
    versions: ['v1', 'v2'],
    kinds: [ns('HorizontalPodAutoscaler', 'horizontalpodautoscalers')],
  },
  policy: { versions: ['v1'], kinds: [ns('PodDisruptionBudget', 'poddisruptionbudgets')] },
  'networking.k8s.io': {
    versions: ['v1'],
    kinds: [
      ns('Ingress', 'ingresses'),
      ns('NetworkPolicy', 'networkpolicies'),
      cluster('IngressClass', 'ingressclasses'),
      cluster('IPAddress', 'ipaddresses'),
      cluster('ServiceCIDR', 'servicecidrs'),
    ],
  },
  'rbac.authorization.k8s.io': {
    versions: ['v1'],
    kinds: [
      ns('Role', 'roles'),
      ns('RoleBinding', 'rolebindings'),
      cluster('ClusterRole', 'clusterroles'),
      cluster('ClusterRoleBinding', 'clusterrolebindings'),
    ],
  },
  'storage.k8s.io': {
    versions: ['v1'],
    kinds: [
      cluster('StorageClass', 'storageclasses'),
      cluster('VolumeAttachment', 'volumeattachments'),
      cluster('CSIDriver', 'csidrivers'),
      cluster('CSINode', 'csinodes'),
      ns('CSIStorageCapacity', 'csistoragecapacities'),
      cluster('VolumeAttributesClass', 'volumeattributesclasses'),
    ],
  },
  'admissionregistration.k8s.io': {
    versions: ['v1'],
    kinds: [
      cluster('ValidatingWebhookConfiguration', 'validatingwebhookconfigurations'),
      cluster('MutatingWebhookConfiguration', 'mutatingwebhookconfigurations'),
      cluster('ValidatingAdmissionPolicy', 'validatingadmissionpolicies'),
      cluster('ValidatingAdmissionPolicyBinding', 'validatingadmissionpolicybindings'),
    ],
  },
  'apiextensions.k8s.io': {
    versions: ['v1'],
    kinds: [cluster('CustomResourceDefinition', 'customresourcedefinitions')],
  },
  'apiregistration.k8s.io': { versions: ['v1'], kinds: [cluster('APIService', 'apiservices')] },
  'scheduling.k8s.io': { versions: ['v1'], kinds: [cluster('PriorityClass', 'priorityclasses')] },
  'coordination.k8s.io': { versions: ['v1'], kinds: [ns('Lease', 'leases')] },
  'discovery.k8s.io': { versions: ['v1'], kinds: [ns('EndpointSlice', 'endpointslices')] },
  'node.k8s.io': { versions: ['v1'], kinds: [cluster('RuntimeClass', 'runtimeclasses')] },
  'certificates.k8s.io': {
    versions: ['v1'],
    kinds: [cluster('CertificateSigningRequest', 'certificatesigningrequests')],
  },
  'events.k8s.io': { versions: ['v1'], kinds: [ns('Event', 'events')] },
  'flowcontrol.apiserver.k8s.io': {
    versions: ['v1'],
    kinds: [
      cluster('FlowSchema', 'flowschemas'),
      cluster('PriorityLevelConfiguration', 'prioritylevelconfigurations'),
    ],
  },
  'resource.k8s.io': {
    versions: ['v1'],
    kinds: [
      ns('ResourceClaim', 'resourceclaims'),
      ns('ResourceClaimTemplate', 'resourceclaimtemplates'),
      cluster('DeviceClass', 'deviceclasses'),
      cluster('ResourceSlice', 'resourceslices'),
    ],
  },
};
