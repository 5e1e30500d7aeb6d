// Derives which top-level fields of input.review.object / input.review.oldObject a policy can
// read (palisade.json `reads`). The webhook leaves every other field out of the evaluation input,
// so a 1 MiB Secret's data never enters the wasm unless an applicable policy reads it
// (docs/policy-contract.md#what-a-policy-reads).
//
// `opa deps` names the rules a policy's violation depends on (its own and the library's); each of
// those rules' ASTs (`opa parse`) is searched for references to input. A reference reads:
//   input.review.object.F...          field F (oldObject alike)
//   object.get(<ref>, "F" | [...], d) the path the constant key extends the reference to
//   is_object(<ref>) and other type checks: nothing below the object (leaving fields out keeps
//                                     an object an object)
// Anything else that can see the whole object — input, input.review, input.review.object as a
// value, a variable key (input.review.object[k]), `some k, v in input.review.object`, an alias
// rule `_obj := input.review.object`, `with input as` — reads everything: the safe answer.
// Below the top level, only metadata.managedFields is decided: managed-fields.ts follows values
// through the same rules (palisade.json `readsManagedFields`), whatever `reads` says.
import { READS_ALL, type PolicyReads } from '../policy-meta';
import { packageName } from './aggregator';
import type { Opa, RegoModule, RegoRule, RegoTerm } from './opa';

type Read = string | typeof READS_ALL;

export const TYPE_CHECKS: ReadonlySet<string> = new Set([
  'is_object',
  'is_array',
  'is_set',
  'is_string',
  'is_number',
  'is_boolean',
  'is_null',
  'type_name',
]);
// The path below input that leads to the object: review, then object or oldObject.
const OBJECT_PATH: readonly (readonly string[])[] = [['review'], ['object', 'oldObject']];

/**
 * The sorted top-level object fields the policy package's violation can read, or '*'.
 * `files` are every non-test .rego file of the bundle (policies and library).
 */
export async function policyReads(
  opa: Opa,
  files: readonly string[],
  pkg: string,
): Promise<PolicyReads> {
  const fields = new Set<string>();
  for (const { module, used } of await usedRules(opa, files, pkg)) {
    const found = [...(module.imports ?? []).map((i) => i.path), ...used].flatMap(reads);
    if (found.includes(READS_ALL)) return READS_ALL;
    for (const f of found) fields.add(f);
  }
  return [...fields].sort();
}

/** Each module with the rules the package's violation depends on (`opa deps`), if any. */
export async function usedRules(
  opa: Opa,
  files: readonly string[],
  pkg: string,
): Promise<{ module: RegoModule; used: RegoRule[] }[]> {
  const deps = await opa.deps(files, `data.${pkg}.violation`);
  const rules = (deps.virtual ?? []).map(refText);
  // A rule `a.b.c contains ...` shows in deps as data.<pkg>.a.b.c: match on the first segment.
  const depends = (name: string) => rules.some((r) => r === name || r.startsWith(`${name}.`));
  const modules = await Promise.all(files.map((f) => opa.parse(f)));
  return modules
    .map((module) => {
      const pkgPath = packageName(module);
      const used = (module.rules ?? []).filter((r) => depends(`data.${pkgPath}.${ruleName(r)}`));
      return { module, used };
    })
    .filter(({ used }) => used.length > 0);
}

export function ruleName(rule: RegoRule): string {
  return String(rule.head.ref?.[0]?.value ?? rule.head.name);
}

/** "data.a.b" for a ref of a var and constant strings (what opa deps lists). */
export function refText(ref: RegoTerm[] | RegoTerm): string {
  const terms = Array.isArray(ref) ? ref : (ref.value as RegoTerm[]);
  return terms.map((t) => String(t.value)).join('.');
}

/** Every object field (or READS_ALL) that the AST node reads through input. */
function reads(node: unknown): Read[] {
  const out: Read[] = [];
  walk(node, out);
  return out;
}

function walk(node: unknown, out: Read[]): void {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, out);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const n = node as { type?: unknown; value?: unknown; terms?: unknown; with?: unknown };
  if (n.type === 'ref' && isInput(n)) {
    const path = (n.value as RegoTerm[]).slice(1);
    push(out, classify(path, false));
    walk(path, out); // keys may themselves read input
  } else if (n.type === 'call') {
    call(n.value as RegoTerm[], out);
  } else if (Array.isArray(n.terms)) {
    call(n.terms as RegoTerm[], out);
    walk(n.with, out);
  } else {
    for (const v of Object.values(n)) walk(v, out);
  }
}

/** A call [operator, ...args]: the two forms that read less than their reference, else a walk. */
function call(terms: RegoTerm[], out: Read[]): void {
  const [op, ...args] = terms;
  const name = op?.type === 'ref' ? refText(op) : '';
  const [base, key, ...rest] = args;
  if (TYPE_CHECKS.has(name) && args.length === 1 && isInput(base)) {
    const path = (base.value as RegoTerm[]).slice(1);
    push(out, classify(path, true));
    walk(path, out);
  } else if (name === 'object.get' && isInput(base) && constantPath(key)) {
    const path = (base.value as RegoTerm[]).slice(1);
    push(out, classify([...path, ...constantPath(key)!], false));
    walk(path, out);
    walk(rest, out);
  } else {
    walk(args, out);
  }
}

function push(out: Read[], read: Read | null): void {
  if (read !== null) out.push(read);
}

export function isInput(term: unknown): term is RegoTerm {
  const t = term as RegoTerm | undefined;
  if (t?.type !== 'ref' || !Array.isArray(t.value)) return false;
  const head = t.value[0] as RegoTerm | undefined;
  return head?.type === 'var' && head.value === 'input';
}

/** object.get's key as a list of string terms when it is constant, else undefined. */
export function constantPath(term: RegoTerm | undefined): RegoTerm[] | undefined {
  if (term?.type === 'string') return [term];
  if (term?.type === 'array' && (term.value as RegoTerm[]).every((t) => t.type === 'string')) {
    return term.value as RegoTerm[];
  }
  return undefined;
}

/**
 * What a reference input.<path> reads: null (not the object), a field name, or READS_ALL. With
 * typeOnly (the argument of a type check) the object itself or anything above it reads nothing.
 */
function classify(path: readonly RegoTerm[], typeOnly: boolean): Read | null {
  for (let i = 0; i < OBJECT_PATH.length; i++) {
    if (i >= path.length) return typeOnly ? null : READS_ALL;
    const t = path[i]!;
    if (t.type === 'string' && !OBJECT_PATH[i]!.includes(String(t.value))) return null;
  }
  if (path.length === OBJECT_PATH.length) return typeOnly ? null : READS_ALL;
  const field = path[OBJECT_PATH.length]!;
  return field.type === 'string' ? String(field.value) : READS_ALL;
}
