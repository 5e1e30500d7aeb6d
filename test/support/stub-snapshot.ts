// A policy snapshot with no bundle: policies made from a few metadata fields and an Evaluator
// stub that answers what the test says and records every input it was given. For unit tests of
// the pure handler and of the route (app.inject()), which need no opa build.
import { validateConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import type { Evaluator } from '../../src/policy/engine';
import type { Action } from '../../src/policy/policy-meta';
import type { EffectivePolicy } from '../../src/policy/policy-set';
import type { PolicySnapshot } from '../../src/policy/snapshot';
import type { Violation } from '../../src/policy/violation';

/** What the evaluator received: the request and each policy's parameters (engine.ts). */
export interface EvaluationInput {
  review: { uid: string; kind: { kind: string }; namespace?: string; [key: string]: unknown };
  policies: Record<string, { parameters: Record<string, unknown> }>;
}

export interface StubEvaluator extends Evaluator {
  /** Every input so far, parsed. */
  inputs: EvaluationInput[];
}

/**
 * An evaluator answering `answer(input)`: violations, or a thrown error. With `untilAborted` it
 * answers only when the signal aborts, rejecting with its reason, as the engine does.
 */
export function stubEvaluator(
  answer: (input: EvaluationInput) => Array<Partial<Violation> & { policy: string }> = () => [],
  opts: { untilAborted?: boolean } = {},
): StubEvaluator {
  const inputs: EvaluationInput[] = [];
  return {
    inputs,
    evaluate(bytes, signal) {
      const input = JSON.parse(new TextDecoder().decode(bytes)) as EvaluationInput;
      inputs.push(input);
      if (opts.untilAborted) {
        return new Promise((_, reject) => {
          if (signal.aborted) reject(signal.reason);
          else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        });
      }
      return Promise.resolve().then(() =>
        answer(input).map((v) => ({ msg: '', path: '', fix: '', details: {}, ...v })),
      );
    },
    close: () => Promise.resolve(),
  };
}

export interface StubPolicy {
  id: string;
  action?: Action;
  kinds?: string[];
  operations?: string[];
  parameters?: Record<string, unknown>;
  namespaceSelector?: { matchLabels: Record<string, string> };
}

/** An effective policy (as policy-set.ts resolves one) from a few fields. */
export function stubPolicy(p: StubPolicy): EffectivePolicy {
  const kinds = p.kinds ?? ['Pod'];
  const action = p.action ?? 'deny';
  return {
    id: p.id,
    meta: { id: p.id, title: p.id, action, match: { kinds, operations: p.operations } },
    action,
    parameters: p.parameters ?? {},
    match: {
      kinds,
      ...(p.operations
        ? { operations: p.operations as EffectivePolicy['match']['operations'] }
        : {}),
      ...(p.namespaceSelector ? { namespaceSelector: p.namespaceSelector } : {}),
    },
  };
}

/** A snapshot of these policies on the stub evaluator; `config` as a config file would set it. */
export function stubSnapshot(
  policies: StubPolicy[],
  evaluator: Evaluator,
  config: Record<string, unknown> = {},
): PolicySnapshot & { config: Config } {
  return {
    config: validateConfig('test', { bundle: 'no-bundle', ...config }),
    policies: policies.map(stubPolicy),
    evaluator,
  };
}
