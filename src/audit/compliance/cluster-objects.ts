// The objects of a cluster for `palisade report --kubeconfig`: every kind the audit lists
// (auditedKinds: the kinds the enabled policies match, Secrets left out), listed page by page (limit/continue, src/kube/resources.ts), each object evaluated with
// the audit's auditObject as it arrives and then dropped. Namespace labels (for
// match.namespaceSelector) come from one list of the namespaces, as the webhook's watch has them.
import { describeThrown } from '../../errors';
import type { Labels } from '../../policy/match';
import type { PolicySnapshot } from '../../policy/snapshot';
import type { KindInfo } from '../../policy/source/kinds';
import { openKubeResources, type KubeResources, type ResourceInfo } from '../../kube/resources';
import { auditedKinds } from '../audit-scan';
import { auditObject, type ObjectAudit } from '../object-audit';
import type { ComplianceTally } from './tally';

export interface ClusterScanOptions {
  kubeconfig: string;
  /** Objects per list page. */
  pageSize: number;
  /** Only these namespaces' objects (cluster-scoped objects are always listed); unset: all. */
  namespaces?: readonly string[];
  /** Called with what is worth telling the user (a kind not served, a policy of every kind). */
  onNote(note: string): void;
  /** Each object's audit as it is evaluated (a restarted list gives an object again). */
  onAudit?(audit: ObjectAudit): void;
}

/** The namespace label every namespace carries (set by the apiserver). */
const NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * Lists, evaluates and tallies. Each list (a kind, in one namespace or all) is tallied apart (a
 * fork of `tally`) and merged when it is complete: a list whose continue token expired (410) starts over, its fork is then
 * dropped, and each object is counted once.
 */
export async function scanCluster(
  snapshot: PolicySnapshot,
  opts: ClusterScanOptions,
  tally: ComplianceTally,
  kube?: KubeResources,
): Promise<void> {
  const api = kube ?? (await openKubeResources(opts.kubeconfig));
  const labels = await naming('listing namespaces', () => namespaceLabels(api, opts.pageSize));
  const namespaceLabelsOf = async (ns: string): Promise<Labels | undefined> => labels.get(ns);
  const { kinds, unknown } = auditedKinds(snapshot.policies);
  for (const name of unknown) {
    opts.onNote(`kind ${name} is not a built-in kind: not listed (give its objects with -f)`);
  }
  if (snapshot.policies.some((p) => p.action !== 'off' && p.match.kinds?.includes('Secret'))) {
    opts.onNote('Secrets are not listed: that would read their data (as the audit, docs/audit.md)');
  }
  for (const kind of kinds) {
    const gv = `${kind.group || 'core'}/${kind.version}`;
    const resource = await naming(`discovering ${kind.kind} (${gv})`, () => api.resolve(kind));
    if (!resource || !resource.verbs.includes('list')) {
      opts.onNote(`${kind.kind} (${gv}) is not served by the cluster: not listed`);
      continue;
    }
    const info = kindInfo(kind, resource);
    const scopes = resource.namespaced && opts.namespaces ? opts.namespaces : [undefined];
    for (const namespace of scopes) {
      let part = tally.fork();
      const what = `listing ${resource.plural}${namespace ? ` in ${namespace}` : ''}`;
      await naming(what, () =>
        api.listAll(resource, {
          ...(namespace ? { namespace } : {}),
          limit: opts.pageSize,
          onRestart: () => {
            part = tally.fork();
          },
          onPage: async (items) => {
            for (const object of items) {
              // A list's items carry no apiVersion/kind of their own (the List has them).
              const full = { ...object, apiVersion: resource.apiVersion, kind: resource.kind };
              const audit = await auditObject(full, info, snapshot, {
                namespaceLabels: namespaceLabelsOf,
              });
              part.add(audit);
              opts.onAudit?.(audit);
            }
          },
        }),
      );
      tally.merge(part);
    }
  }
}

/** What failed, named: `listing pods in shop: connect ECONNREFUSED ...` (the cause kept). */
async function naming<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (thrown) {
    throw new Error(`${what}: ${describeThrown(thrown)}`, { cause: thrown });
  }
}

function kindInfo(kind: KindInfo, r: ResourceInfo): KindInfo {
  return { ...kind, version: r.version, resource: r.plural, namespaced: r.namespaced };
}

async function namespaceLabels(api: KubeResources, pageSize: number): Promise<Map<string, Labels>> {
  const out = new Map<string, Labels>();
  const resource = await api.resolve({ group: '', version: 'v1', kind: 'Namespace' });
  if (!resource) return out;
  await api.listAll(resource, {
    limit: pageSize,
    onRestart: () => out.clear(),
    onPage: (items) => {
      for (const ns of items) {
        const name = ns.metadata?.name;
        if (name) out.set(name, { ...ns.metadata?.labels, [NAME_LABEL]: name });
      }
    },
  });
  return out;
}
