// One evaluation of the playground, with the code `palisade eval` runs: the manifest text parsed
// by the toolchain's YAML reader, each object made into the AdmissionReview the apiserver would
// send (prepareReviews → manifestRequest), decided by the webhook's handleAdmission on a snapshot
// of the same policy.wasm (evaluateTargets), each violation located on its line. No Node module
// is reached from here: it runs in the page (and in jest).
import type { AdmissionReviewRequest, Operation } from '../../../admission/types';
import { evaluateTargets } from '../../evaluate';
import { prepareReviews } from '../../prepare-reviews';
import type { ObjectResult } from '../../results';
import type { PolicySnapshot } from '../../../policy/snapshot';
import { parseDocuments, type InputProblem } from '../../../policy/source/yaml';
import { KUBECTL_STDIN, kubectlLines } from './kubectl-text';

export interface ReviewOptions {
  operation: Operation;
  namespace: string;
  username: string;
  groups: readonly string[];
}

export interface PlaygroundRun {
  results: ObjectResult[];
  /** The reviews evaluated, one per result (the page shows them; tests replay them). */
  reviews: AdmissionReviewRequest[];
  /** Documents that are not objects, invalid YAML, unknown kinds: each with its line. */
  problems: InputProblem[];
  /** What kubectl would print, object by object. */
  kubectl: string[];
}

export async function runManifests(
  text: string,
  opts: ReviewOptions,
  snapshot: PolicySnapshot,
  webhook: string,
): Promise<PlaygroundRun> {
  const parsed = parseDocuments(KUBECTL_STDIN, text);
  // A fixed uid: the page may run where crypto.randomUUID is missing (plain http, not loopback).
  const prepared = prepareReviews(parsed.documents, {
    operation: opts.operation,
    namespace: opts.namespace || undefined,
    username: opts.username,
    groups: opts.groups,
    uid: PLAYGROUND_UID,
  });
  // The request's deadline as the server starts it (src/deadline.ts's timer needs Node's unref).
  const signal = AbortSignal.timeout(snapshot.config.evaluation.deadlineMs);
  const results = await evaluateTargets(prepared.targets, snapshot, undefined, { signal });
  return {
    results,
    reviews: prepared.targets.map((t) => t.review),
    problems: [...parsed.problems, ...prepared.problems],
    kubectl: results.flatMap((r) => kubectlLines(r, webhook)),
  };
}

export const PLAYGROUND_UID = '00000000-0000-4000-8000-00000000a11d';
