// Namespace labels for match.namespaceSelector when evaluating without a cluster: a Namespace
// among the inputs brings its own labels; --namespace-labels gives the labels of every other
// namespace. As in a cluster, each namespace also carries kubernetes.io/metadata.name. With
// neither, a namespace's labels are unknown and, as in the webhook, the policy applies.
import type { Labels, NamespaceLabels } from '../policy/match';
import { usageError } from './cli-error';
import type { EvalTarget } from './evaluate';

const NAME_LABEL = 'kubernetes.io/metadata.name';

/** `--namespace-labels` values (`k=v,k2=v2`, repeatable) as one label map. */
export function parseLabelFlags(values: readonly string[]): Labels {
  const labels: Labels = {};
  for (const pair of values.flatMap((v) => v.split(','))) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? '' : pair.slice(0, eq).trim();
    if (!key) throw usageError(`--namespace-labels: "${pair}" is not KEY=VALUE`);
    labels[key] = pair.slice(eq + 1).trim();
  }
  return labels;
}

export interface CliNamespaceLabels {
  lookup: NamespaceLabels;
  /** Namespaces looked up whose labels nothing gave. */
  unknown: Set<string>;
}

/** What the lookup reads of each input: the request's kind and object (a Namespace's labels). */
type Input = { review: { request: Pick<EvalTarget['review']['request'], 'kind' | 'object'> } };

export function cliNamespaceLabels(
  targets: readonly Input[],
  flagLabels: Labels | undefined,
): CliNamespaceLabels {
  const fromInputs = new Map<string, Labels>();
  for (const t of targets) {
    const { kind, object } = t.review.request;
    const name = object?.metadata?.name;
    if (kind.kind === 'Namespace' && !kind.group && typeof name === 'string') {
      fromInputs.set(name, { ...object?.metadata?.labels, [NAME_LABEL]: name });
    }
  }
  const unknown = new Set<string>();
  const lookup: NamespaceLabels = async (ns) => {
    const labels = fromInputs.get(ns) ?? (flagLabels && { ...flagLabels, [NAME_LABEL]: ns });
    if (!labels) unknown.add(ns);
    return labels;
  };
  return { lookup, unknown };
}

/** Says on stderr which namespaces were looked up with no labels known. */
export function warnUnknownNamespaces(
  namespaces: CliNamespaceLabels,
  io: { stderr: { write(s: string): unknown } },
): void {
  if (namespaces.unknown.size === 0) return;
  io.stderr.write(
    `palisade: labels of namespace ${[...namespaces.unknown].sort().join(', ')} unknown: ` +
      'policies with a namespaceSelector were applied there (give --namespace-labels, or ' +
      'the Namespace manifest)\n',
  );
}
