// Evaluates every applicable policy of a request with ONE input serialization and ONE wasm
// evaluation: the bundle's single entrypoint (palisade/violations) runs each policy listed in
// input.policies with its own parameters.
import { throwIfPast } from '../deadline';
import { describeThrown, PalisadeError, toPalisadeError } from '../errors';
import { ENTRYPOINT, type Bundle } from './bundle-bytes';
import { withInventory } from './data-document';
import { fieldsRead, withFieldsRead } from './input-fields';
import type { EffectivePolicy } from './policy-set';
import type { AdmissionRequest } from './request';
import { toViolations, type Violation } from './violation';
import { WasmPolicy, type WasmLimits } from './wasm-runtime';

export interface Evaluator {
  /**
   * Rejects with the signal's reason (abortReason) once it aborts: the request's one deadline
   * (src/deadline.ts) bounds the evaluation, the evaluator keeps no timer of its own.
   */
  evaluate(input: ArrayBuffer, signal: AbortSignal): Promise<Violation[]>;
  /**
   * Sets data.inventory (serialized JSON) for every evaluation that starts after it resolves,
   * on every instance (the inline one, each worker thread). Optional: an evaluator without it
   * (a stub, the no-bundle placeholder) evaluates with the bundle's data alone.
   */
  setInventory?(inventoryJson: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Serializes the evaluation input once, as the bytes the wasm reads: the request with only the
 * object fields the policies can read (input-fields.ts), so wasm memory follows what is checked,
 * not the object's size.
 */
export function serializeInput(
  req: AdmissionRequest,
  policies: readonly EffectivePolicy[],
  known?: KnownJson,
): ArrayBuffer {
  const shown = withFieldsRead(req, fieldsRead(policies));
  const review = (known && spliced(shown, known)) ?? JSON.stringify(shown);
  // The same text as JSON.stringify({ review, policies: { [id]: { parameters } } }), with each
  // policy's part serialized once per policy, not once per request. Gatekeeper constraints go
  // by template: constraints: { [template]: { [id]: { name, parameters } } }, one aggregator
  // rule per template (src/policy/build/aggregator.ts).
  const own: string[] = [];
  const byTemplate = new Map<string, string[]>();
  for (const p of policies) {
    if (!p.constraint) {
      own.push(policyEntry(p));
      continue;
    }
    const list = byTemplate.get(p.constraint.template) ?? [];
    list.push(policyEntry(p));
    byTemplate.set(p.constraint.template, list);
  }
  const constraints = [...byTemplate]
    .map(([template, list]) => `${JSON.stringify(template)}:{${list.join(',')}}`)
    .join(',');
  const tail = byTemplate.size > 0 ? `,"constraints":{${constraints}}` : '';
  const bytes = encoder.encode(`{"review":${review},"policies":{${own.join(',')}}${tail}}`);
  return bytes.buffer as ArrayBuffer;
}
const encoder = new TextEncoder();

/** A value of the request's object already serialized (the pod-spec cache's key holds it). */
export interface KnownJson {
  /** Keys from the object's root. */
  path: readonly string[];
  /** The value at the path, when it was serialized (the same object is required). */
  value: object;
  json: string;
}

/**
 * JSON.stringify(review) with the known value's text spliced in instead of serialized again:
 * the value is replaced by a placeholder string, and the placeholder's one occurrence by the
 * text (JSON.stringify is compositional). Undefined when the value is not there (a field left
 * out) or the placeholder occurs more than once (the request itself holds its text).
 */
function spliced(review: AdmissionRequest, known: KnownJson): string | undefined {
  const copy = (o: unknown, i: number): unknown => {
    if (o === null || typeof o !== 'object' || Array.isArray(o)) return undefined;
    const rec = o as Record<string, unknown>;
    const k = known.path[i]!;
    if (i === known.path.length - 1) {
      return rec[k] === known.value ? { ...rec, [k]: PLACEHOLDER } : undefined;
    }
    const inner = copy(rec[k], i + 1);
    return inner === undefined ? undefined : { ...rec, [k]: inner };
  };
  const object = known.path.length > 0 ? copy(review.object, 0) : undefined;
  if (object === undefined) return undefined;
  const text = JSON.stringify({ ...review, object });
  const quoted = JSON.stringify(PLACEHOLDER);
  const at = text.indexOf(quoted);
  if (at < 0 || text.indexOf(quoted, at + 1) >= 0) return undefined;
  return text.slice(0, at) + known.json + text.slice(at + quoted.length);
}
const PLACEHOLDER = '\u0000palisade:known-json\u0000';

/**
 * `"id":{"parameters":{...}}`, the policy's entry of input.policies (a constraint's also has its
 * `name`). Kept by the policy object's identity: a policy with other parameters (a config
 * reload, the CLI's example parameters) is a new object, with its own entry.
 */
export function policyEntry(p: EffectivePolicy): string {
  let entry = entries.get(p);
  if (entry === undefined) {
    const body = p.constraint
      ? { name: p.constraint.name, parameters: p.parameters }
      : { parameters: p.parameters };
    entry = `${JSON.stringify(p.id)}:${JSON.stringify(body)}`;
    entries.set(p, entry);
  }
  return entry;
}
const entries = new WeakMap<EffectivePolicy, string>();

/** Evaluates on the calling thread. A failed evaluation replaces the instance. */
export class InlineEvaluator implements Evaluator {
  private instance: WasmPolicy;
  /** The data document in force: the bundle's, or with data.inventory (setInventory). */
  private data: ArrayBuffer | undefined;

  constructor(
    private readonly bundle: Bundle,
    private readonly limits: WasmLimits,
  ) {
    this.data = bundle.data;
    this.instance = instantiate(bundle, limits, this.data);
  }

  async setInventory(inventoryJson: string): Promise<void> {
    const data = withInventory(this.bundle.data, inventoryJson);
    try {
      this.instance.setData(data);
    } catch (thrown) {
      // Too large for the memory cap: keep evaluating with the previous document.
      this.instance = instantiate(this.bundle, this.limits, this.data);
      throw thrown;
    }
    this.data = data;
  }

  /**
   * The wasm runs to its end on this thread and cannot be interrupted (it blocks every other
   * request meanwhile): the deadline is checked before and after, so a late result is answered
   * as past the deadline, never silently late.
   */
  async evaluate(input: ArrayBuffer, signal?: AbortSignal): Promise<Violation[]> {
    if (signal) throwIfPast(signal);
    const found = this.evaluateSync(input);
    if (signal) throwIfPast(signal);
    return found;
  }

  evaluateSync(input: ArrayBuffer): Violation[] {
    try {
      return toViolations(this.instance.evaluate(input));
    } catch (thrown) {
      // The instance may be mid-way through an aborted evaluation; start a clean one.
      this.instance = instantiate(this.bundle, this.limits, this.data);
      throw toPalisadeError(thrown, 'PAL_ERR_WASM_EVAL');
    }
  }

  async close(): Promise<void> {}
}

function instantiate(
  bundle: Bundle,
  limits: WasmLimits,
  data: ArrayBuffer | undefined,
): WasmPolicy {
  try {
    return WasmPolicy.instantiate(bundle.module, ENTRYPOINT, limits, data);
  } catch (thrown) {
    if (thrown instanceof PalisadeError) throw thrown;
    throw new PalisadeError('PAL_ERR_BUNDLE_INVALID', [bundle.path, describeThrown(thrown)]);
  }
}
