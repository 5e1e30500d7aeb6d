// Realistic AdmissionReviews for the bench: a Pod of about 7 KB and a Deployment of about 17 KB
// (about half of each is metadata.managedFields, as the apiserver sends them), both
// compliant with the built-in policies (so every policy runs to completion), and a ConfigMap of
// about 500 KB (few policies apply; the cost is TLS, parsing and serializing the input). Each
// request is the one the apiserver sends, from src/policy/source/manifest-request.ts.
import type { AdmissionReviewRequest, KubeObject } from '../src/admission/types';
import { resolveKind } from '../src/policy/source/kinds';
import { manifestRequest } from '../src/policy/source/manifest-request';

function containerSpec(name: string, i: number) {
  return {
    name,
    image: `registry.example.com/team/${name}:1.${i}.3`,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: 'http', containerPort: 8080 + i, protocol: 'TCP' }],
    env: Array.from({ length: 6 }, (_, k) => ({
      name: `SETTING_${k}`,
      value: `value-${k}-${name}`,
    })),
    resources: {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    },
    securityContext: {
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    readinessProbe: { httpGet: { path: '/readyz', port: 8080 + i }, periodSeconds: 5 },
    livenessProbe: { httpGet: { path: '/healthz', port: 8080 + i }, periodSeconds: 10 },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
}

function podSpec(containers: number) {
  return {
    serviceAccountName: 'app',
    securityContext: { runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 },
    containers: Array.from({ length: containers }, (_, i) => containerSpec(`c${i}`, i)),
    volumes: [{ name: 'tmp', emptyDir: {} }],
  };
}

const metadata = (name: string) => ({
  name,
  namespace: 'shop',
  labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'shop', team: 'payments' },
  annotations: {
    'example.com/owner': 'payments@example.com',
    'example.com/runbook': 'https://runbooks.example.com/' + name,
  },
});

// metadata.managedFields as the apiserver records a `kubectl apply --server-side` of the object
// (it sends them to webhooks): the fields the manifest sets, list items by their merge key.
const MERGE_KEYS: Record<string, string[]> = {
  containers: ['name'],
  env: ['name'],
  volumes: ['name'],
  ports: ['containerPort', 'protocol'],
  volumeMounts: ['mountPath'],
};
function fieldsV1(value: unknown, field = ''): Record<string, unknown> {
  if (Array.isArray(value)) {
    const keys = MERGE_KEYS[field];
    if (!keys) return {}; // an atomic list (capabilities.drop)
    const items = value.map((v: Record<string, unknown>) => [
      `k:${JSON.stringify(Object.fromEntries(keys.map((k) => [k, v[k]])))}`,
      { '.': {}, ...fieldsV1(v) },
    ]);
    return Object.fromEntries(items);
  }
  if (value === null || typeof value !== 'object') return {};
  const fields = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)); // as it stores them
  return Object.fromEntries(fields.map(([k, v]) => [`f:${k}`, fieldsV1(v, k)]));
}
function withManagedFields(object: KubeObject): KubeObject {
  const { apiVersion, metadata, ...rest } = object as KubeObject & { metadata: object };
  const { labels, annotations } = metadata as Record<string, unknown>;
  const applied = { ...rest, kind: undefined, metadata: { labels, annotations } };
  const managedFields = [
    {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion,
      time: '2026-12-02T07:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: fieldsV1(JSON.parse(JSON.stringify(applied))),
    },
  ];
  return { ...object, metadata: { ...metadata, managedFields } };
}

/** The request the apiserver sends for `object` (src/policy/source/manifest-request.ts). */
function review(object: KubeObject, i: number): AdmissionReviewRequest {
  const kind = resolveKind(String(object.apiVersion), String(object.kind), new Map());
  const request = manifestRequest(object, kind, {
    operation: 'CREATE',
    username: 'system:serviceaccount:ci:deployer',
    groups: ['system:serviceaccounts', 'system:authenticated'],
    uid: `bench-${kind.kind}-${i}`,
  });
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request };
}

/** A compliant Pod of `containers` containers (the Gatekeeper case, bench/gatekeeper.ts: 8). */
export function podManifest(containers: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: metadata('checkout'),
    spec: podSpec(containers),
  };
}

export function podReview(containers = 3): AdmissionReviewRequest {
  return review(withManagedFields(podManifest(containers)), 1);
}

export function deploymentReview(): AdmissionReviewRequest {
  const dep = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata('checkout'),
    spec: {
      replicas: 3,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'checkout' } },
      template: { metadata: { labels: metadata('checkout').labels }, spec: podSpec(8) },
    },
  };
  return review(withManagedFields(dep), 2);
}

/** A ConfigMap of about 500 KB (e.g. a bundled dashboard or rules file): the large-body case. */
export function configMapReview(): AdmissionReviewRequest {
  const line = 'rule_group_entry: expr: sum(rate(http_requests_total[5m])) by (job) > 100\n';
  const data: Record<string, string> = {};
  for (let i = 0; i < 100; i++) data[`rules-${i}.yaml`] = line.repeat(68);
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata('checkout-rules'), data };
  return review(cm, 3);
}

const MiB = 1 << 20;

/** Deterministic filler: `bytes` of base64 text (what a Secret's data or binaryData holds). */
function base64Text(bytes: number, seed: number): string {
  const raw = Buffer.alloc(Math.floor((bytes * 3) / 4));
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 7919 + seed * 104729) % 251;
  return raw.toString('base64');
}

/**
 * The flood mix, each body about 1 MiB (Kubernetes' limit for a Secret or ConfigMap): a Helm
 * release Secret (one base64 blob), an Opaque Secret of 64 keys, a ConfigMap of 100 text files
 * and a ConfigMap with one binaryData file. Created in namespace shop, so every built-in policy
 * allows them.
 */
export function floodReviews(): AdmissionReviewRequest[] {
  const line = 'alert: HighErrorRate expr: sum(rate(http_requests_total{code=~"5.."}[5m])) > 1\n';
  const helm = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'helm.sh/release.v1',
    metadata: {
      ...metadata('sh.helm.release.v1.shop.v7'),
      labels: { owner: 'helm', version: '7' },
    },
    data: { release: base64Text(MiB - 4096, 1) },
  };
  const keys: Record<string, string> = {};
  for (let i = 0; i < 64; i++) keys[`key-${i}`] = base64Text(MiB / 64 - 128, i);
  const opaque = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: metadata('shop-keys'),
    data: keys,
  };
  const files: Record<string, string> = {};
  for (let i = 0; i < 100; i++)
    files[`rules-${i}.yaml`] = line.repeat(Math.floor(MiB / 100 / line.length));
  const rules = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata('shop-rules'),
    data: files,
  };
  const binary = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata('shop-geoip'),
    binaryData: { 'geoip.mmdb': base64Text(MiB - 4096, 2) },
  };
  return [review(helm, 11), review(opaque, 12), review(rules, 13), review(binary, 14)];
}

/**
 * `n` reviews like `r`, each with its own pod template (every container's image tag carries the
 * variant number, and the uid differs): sent in turn, more of them than the pod-spec cache holds
 * (evaluation.podSpecCache), so the policies that read images are evaluated for every review,
 * as for a cluster whose writes all bring new images; the cache may still serve the policies
 * that read other fields only (its key holds exactly the fields a policy reads). A review
 * without a pod template is returned alone.
 */
export function distinctTemplates(r: AdmissionReviewRequest, n: number): AdmissionReviewRequest[] {
  const object = r.request.object as { spec?: { containers?: unknown; template?: unknown } };
  const spec = (object.spec?.template as { spec?: unknown } | undefined)?.spec ?? object.spec;
  if (!spec || !Array.isArray((spec as { containers?: unknown }).containers)) return [r];
  return Array.from({ length: n }, (_, v) => {
    const copy = structuredClone(r);
    const o = copy.request.object as typeof object;
    const s = ((o.spec?.template as { spec?: unknown } | undefined)?.spec ?? o.spec) as {
      containers: { image: string }[];
    };
    for (const c of s.containers) c.image = `${c.image}-v${v}`;
    copy.request.uid = `${r.request.uid}-v${v}`;
    return copy;
  });
}
