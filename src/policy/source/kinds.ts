// THE table of Kubernetes kinds: group, served versions, plural resource, scope, the resources a
// webhook rule names, and where a pod-bearing kind keeps its pod template. One table so a
// manifest becomes the AdmissionRequest the apiserver would send, policy.yaml kinds are checked,
// the chart's webhook rules are derived, `kinds: [$pods]` expands, and the pod library's template
// paths (policies/lib/kubernetes/kinds.rego, rendered by renderKindsRego) agree.
// Kinds of other groups (custom resources) are accepted: their plural and scope come from a
// CustomResourceDefinition in the same input when there is one, else from a guess (docs/cli.md).
// The rows themselves are in kinds-table.ts.
import { editDistance } from './edit-distance';
import { BUILTIN, type Row } from './kinds-table';

export interface KindInfo {
  group: string;
  /** The version asked for (resolveKind), or the preferred served version (builtinKind). */
  version: string;
  kind: string;
  /** Lower-case plural, as in the REST path and AdmissionRequest.resource.resource. */
  resource: string;
  namespaced: boolean;
  /** Versions Kubernetes serves for the group (GA only; beta APIs are off by default). */
  versions: readonly string[];
  /** What a webhook rule names to see this kind: its resource and the subresources that carry it. */
  webhookResources: readonly string[];
  /** Keys from the object root to the pod template (metadata + spec); [] for a Pod itself. */
  podTemplate?: readonly string[];
}

function info(group: string, version: string, versions: readonly string[], row: Row): KindInfo {
  return {
    group,
    version,
    kind: row.kind,
    resource: row.resource,
    namespaced: row.namespaced,
    versions,
    webhookResources: row.webhookResources ?? [row.resource],
    ...(row.podTemplate ? { podTemplate: row.podTemplate } : {}),
  };
}

/** Every built-in kind at its preferred version, in table order. */
export const BUILTIN_KINDS: readonly KindInfo[] = Object.entries(BUILTIN).flatMap(([group, g]) =>
  g.kinds.map((row) => info(group, g.versions[g.versions.length - 1]!, g.versions, row)),
);

/**
 * The order `$pods` expands to: the workloads people write first, then the legacy ones. The order
 * of match.kinds shows in the policy docs and the chart's rules, so it is fixed here.
 */
const POD_KIND_ORDER = [
  'Pod',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'ReplicationController',
  'PodTemplate',
];

/** The kinds that carry a pod template (a podTemplate path), in the order `$pods` expands to. */
export const POD_KINDS: readonly KindInfo[] = BUILTIN_KINDS.filter((k) => k.podTemplate).sort(
  (a, b) => podRank(a.kind) - podRank(b.kind),
);

function podRank(kind: string): number {
  const i = POD_KIND_ORDER.indexOf(kind);
  if (i < 0) throw new Error(`kinds.ts: pod kind ${kind} is missing from POD_KIND_ORDER`);
  return i;
}

/** The alias in policy.yaml match.kinds for every kind of POD_KINDS. */
export const PODS_ALIAS = '$pods';

/** The kind that wins for a name in two groups (Event: core, not events.k8s.io). */
const BY_NAME = new Map<string, KindInfo>();
for (const k of BUILTIN_KINDS) if (!BY_NAME.has(k.kind)) BY_NAME.set(k.kind, k);

/** A built-in kind by its name alone, as policy.yaml names kinds; undefined when unknown. */
export function builtinKind(kind: string): KindInfo | undefined {
  return BY_NAME.get(kind);
}

/**
 * match.kinds with `$pods` replaced, in place, by the pod kinds minus `exclude`, without
 * duplicates (first mention wins). `*` and unknown names pass through unchanged.
 */
export function expandKinds(kinds: readonly string[], exclude: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const k of kinds) {
    const names =
      k === PODS_ALIAS ? POD_KINDS.map((p) => p.kind).filter((p) => !exclude.includes(p)) : [k];
    for (const n of names) if (!out.includes(n)) out.push(n);
  }
  return out;
}

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

/**
 * Resolves apiVersion + kind. Throws a message naming the problem for a kind or version that
 * Kubernetes does not serve in a built-in group.
 */
export function resolveKind(apiVersion: string, kind: string, custom: CustomKinds): KindInfo {
  const { group, version } = splitApiVersion(apiVersion);
  const builtin = BUILTIN[group];
  if (builtin) {
    const row = builtin.kinds.find((r) => r.kind === kind);
    if (!row) {
      const near = builtin.kinds.find(
        (r) => editDistance(r.kind.toLowerCase(), kind.toLowerCase()) <= 2,
      );
      const hint = near ? `; did you mean ${near.kind}?` : '';
      throw new Error(`unknown kind ${kind} in ${apiVersion}${hint}`);
    }
    if (!builtin.versions.includes(version)) {
      const served = builtin.versions.map((v) => (group ? `${group}/${v}` : v)).join(', ');
      throw new Error(`${apiVersion} ${kind} is not served by Kubernetes; use ${served}`);
    }
    return info(group, version, builtin.versions, row);
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
  // No CRD in the input: guess the plural, and a namespaced scope unless the kind says Cluster.
  const { resource, namespaced } = crd ?? {
    resource: guessPlural(kind),
    namespaced: !kind.startsWith('Cluster'),
  };
  return info(group, version, [version], { kind, resource, namespaced });
}

/**
 * A kind taken as given, for Gatekeeper's paths (gator reviews objects of any kind): group and
 * version from apiVersion, the kind as written, a guessed plural (gator's review has no
 * resource; Palisade's always names one), the scope the caller reads from the object.
 */
export function kindAsGiven(apiVersion: string, kind: string, namespaced: boolean): KindInfo {
  const { group, version } = splitApiVersion(apiVersion);
  return info(group, version, [version], { kind, resource: guessPlural(kind), namespaced });
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

/**
 * policies/lib/kubernetes/kinds.rego: the pod-template path of every pod kind, from this table,
 * for the pod library (package lib.kubernetes.kinds). Written by `palisade generate`, formatted
 * as `opa fmt` leaves it.
 */
export function renderKindsRego(): string {
  const rows = POD_KINDS.map(
    (k) =>
      `\t${JSON.stringify(k.kind)}: [${(k.podTemplate ?? []).map((s) => JSON.stringify(s)).join(', ')}],`,
  );
  return [
    '# Generated by `palisade generate` from src/policy/source/kinds.ts; do not edit.',
    '# The path (keys from the object root) of the pod template (the object holding metadata and',
    '# spec) of each kind that carries one. For a Pod the template is the object itself.',
    'package lib.kubernetes.kinds',
    '',
    'pod_template_paths := {',
    ...rows,
    '}',
    '',
  ].join('\n');
}
