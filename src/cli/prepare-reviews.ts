// From parsed documents to the AdmissionReviews `palisade eval` evaluates: manifests become the
// requests the apiserver would send; an AdmissionReview document is taken as it is. Every
// document that cannot become a review is reported (unknown kind, bad AdmissionReview, ...).
import { decodeAdmissionReview } from '../admission/decode';
import type { KubeObject } from '../admission/types';
import { describeThrown } from '../errors';
import {
  manifestKind,
  requestNamespace,
  type KindOptions,
  type RequestOptions,
} from '../policy/source/manifest-request';
import { buildReview } from './build-review';
import type { EvalTarget } from './evaluate';
import { customKindsOf, type CustomKinds, type KindInfo } from '../policy/source/kinds';
import type { InputProblem, SourceDocument } from '../policy/source/yaml';

export interface Prepared {
  targets: EvalTarget[];
  problems: InputProblem[];
  /** Objects of `--old` that no input object updates (not evaluated; reported on stderr). */
  unmatchedOld: string[];
}

export function prepareReviews(
  docs: readonly SourceDocument[],
  opts: RequestOptions,
  oldDocs?: readonly SourceDocument[],
  kindOpts: KindOptions = {},
): Prepared {
  const custom = customKindsOf([...docs, ...(oldDocs ?? [])].map((d) => d.object));
  const problems: InputProblem[] = [];
  const old = oldDocs ? indexOld(oldDocs, opts, custom, problems, kindOpts) : undefined;
  const targets: EvalTarget[] = [];
  for (const doc of docs) {
    const at = { source: doc.source, line: doc.line };
    if (isAdmissionReview(doc.object)) {
      try {
        const review = decodeAdmissionReview(structuredClone(doc.object));
        targets.push({ doc, review, objectPath: objectPathOf(review.request.operation) });
      } catch (thrown) {
        problems.push({ ...at, message: describeThrown(thrown) });
      }
      continue;
    }
    const object = doc.object as KubeObject;
    try {
      const kind = manifestKind(object, custom, kindOpts);
      let request = opts;
      let previous: KubeObject | undefined;
      if (old) {
        previous = old.get(keyOf(object, kind, opts.namespace));
        old.delete(keyOf(object, kind, opts.namespace));
        // With --old, an object that did not exist before is created, as kubectl apply would.
        request = { ...opts, operation: previous ? 'UPDATE' : 'CREATE' };
      }
      const review = buildReview(object, kind, request, previous);
      targets.push({ doc, review, objectPath: [] });
    } catch (thrown) {
      problems.push({ ...at, message: describeThrown(thrown) });
    }
  }
  return { targets, problems, unmatchedOld: old ? [...old.keys()].map(describeKey) : [] };
}

function isAdmissionReview(o: Record<string, unknown>): boolean {
  return o.kind === 'AdmissionReview' && String(o.apiVersion).startsWith('admission.k8s.io/');
}

/** Where a review's evaluated object sits in its document, for locating field paths. */
function objectPathOf(operation: string): string[] {
  return ['request', operation === 'DELETE' ? 'oldObject' : 'object'];
}

function indexOld(
  docs: readonly SourceDocument[],
  opts: RequestOptions,
  custom: CustomKinds,
  problems: InputProblem[],
  kindOpts: KindOptions,
): Map<string, KubeObject> {
  const out = new Map<string, KubeObject>();
  for (const doc of docs) {
    const object = doc.object as KubeObject;
    try {
      const kind = manifestKind(object, custom, kindOpts);
      out.set(keyOf(object, kind, opts.namespace), object);
    } catch (thrown) {
      problems.push({ source: doc.source, line: doc.line, message: describeThrown(thrown) });
    }
  }
  return out;
}

/** Identity of an object across `-f` and `--old`: group, kind, namespace, name. */
function keyOf(object: KubeObject, kind: KindInfo, namespace: string | undefined): string {
  const ns = requestNamespace(object, kind, namespace) ?? '';
  return JSON.stringify([kind.group, kind.kind, ns, object.metadata?.name ?? '']);
}

function describeKey(key: string): string {
  const [group, kind, ns, name] = JSON.parse(key) as string[];
  return `${kind}${group ? `.${group}` : ''} ${ns ? `${ns}/` : ''}${name}`;
}
