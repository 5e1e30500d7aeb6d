// Decides, from a policy's Rego, whether its result on a pod-bearing CREATE is a pure function
// of the pod template, a few request fields and its parameters, so the webhook can keep it per
// distinct template (src/policy/pod-spec-cache.ts); palisade.json records the answer per policy
// as `podSpecCache` (docs/policy-contract.md#the-pod-spec-cache).
//
// The rules the policy's violation depends on (`opa deps`, as reads.ts) are searched for what they
// read of input and data. Cacheable when every read is one of:
//   input.parameters...                          in the key (the policy's parameters)
//   input.review.{kind,operation,subResource,oldObject,namespace,name}...   request fields, in the key
//   input.review.{object,userInfo}.<constant path>   (metadata.labels, userInfo.username): the
//       value at that path, in the key (the object or userInfo whole, or a variable key: not)
//   object.get(input.review.object, <pod_template_paths>[...], d)   the pod template, located
//       through the generated kinds table (policies/lib/kubernetes/kinds.rego from kinds.ts);
//       what the policies read of the template is the constant field after each reference to the
//       rule holding it (`_template.spec`), all of it when one reference is bare
//   data.* except data.inventory                 the bundle's own data (the snapshot's)
// Anything else — the object whole or below a variable key outside its template, userInfo whole,
// input as a whole, `with`, data.inventory (set between snapshots), a builtin whose
// result is not a function of its arguments — makes the policy not cacheable, with the reason.
// One refinement: a complete boolean rule one of whose bodies is `input.review.operation !=
// "UPDATE"` (or `== "CREATE"`) is true for every CREATE, the only operation cached; its other
// bodies (pods.pod_judged's comparison with oldObject) cannot change its value and are not read.
import type { PodSpecCacheRecord } from '../policy-meta';
import { builtinKind } from '../source/kinds';
import { packageName } from './aggregator';
import type { Opa, RegoModule, RegoRule, RegoTerm } from './opa';
import { constantPath, isInput, refText, ruleName, TYPE_CHECKS, usedRules } from './reads';

/** The generated kinds table rule (kinds.ts renderKindsRego), the one way to locate a template. */
export const POD_TEMPLATE_PATHS = 'data.lib.kubernetes.kinds.pod_template_paths';
/** Request fields whose value goes into the key; everything else of input.review is not cached. */
export const KEYED_REQUEST_FIELDS: readonly string[] = [
  'kind',
  'operation',
  'subResource',
  'oldObject',
  'namespace',
  'name',
];
// OPA's builtins whose result is not a function of their arguments (OPA marks them
// nondeterministic, plus the time- and network-dependent verifications).
const IMPURE = new Set([
  'http.send',
  'time.now_ns',
  'rand.intn',
  'uuid.rfc4122',
  'opa.runtime',
  'net.lookup_ip_addr',
  'io.jwt.decode_verify',
  'crypto.x509.parse_and_verify_certificates',
  'crypto.x509.parse_and_verify_certificates_with_options',
]);

class NotCacheable extends Error {}

/** Every policy's record, by id. `files`: every non-test Rego of the bundle. */
export async function podSpecCacheRecords(
  opa: Opa,
  files: readonly string[],
  policies: readonly { id: string; package: string }[],
): Promise<Map<string, PodSpecCacheRecord>> {
  const records = await Promise.all(
    policies.map((p) => podSpecCacheability(opa, files, p.package)),
  );
  return new Map(policies.map((p, i) => [p.id, records[i]!]));
}

/** The podSpecCache record of the policy package's violation. */
export async function podSpecCacheability(
  opa: Opa,
  files: readonly string[],
  pkg: string,
): Promise<PodSpecCacheRecord> {
  const used = await usedRules(opa, files, pkg);
  const scan = new Scan();
  try {
    for (const { module, used: rules } of used) scan.module(module, rules);
    return scan.record();
  } catch (thrown) {
    if (thrown instanceof NotCacheable) return { reason: thrown.message };
    throw thrown;
  }
}

class Scan {
  private readonly request = new Set<string>();
  /** Data paths of the rules holding the template (the object.get of the kinds table). */
  private readonly holders = new Set<string>();
  /** References to rules, resolved: [data path, the constant field after it or null]. */
  private readonly refs: [string, string | null][] = [];
  private readonly fields = new Set<string>();
  private wholeTemplate = false;
  private resolve: (ref: RegoTerm[]) => string | undefined = () => undefined;
  private aliases = new Map<string, string>();

  module(module: RegoModule, rules: RegoRule[]): void {
    const pkg = packageName(module);
    const imports = new Map<string, string>();
    for (const i of module.imports ?? []) {
      const path = refText(i.path);
      const alias = (i as { alias?: string }).alias ?? path.split('.').pop()!;
      if (path.startsWith('data.')) imports.set(alias, path);
    }
    const own = new Set((module.rules ?? []).map(ruleName));
    this.resolve = (ref) => {
      const head = ref[0];
      if (head?.type !== 'var') return undefined;
      const name = String(head.value);
      const base =
        name === 'data'
          ? 'data'
          : (imports.get(name) ?? (own.has(name) ? `data.${pkg}.${name}` : undefined));
      if (base === undefined) return undefined;
      const rest: string[] = [];
      for (const t of ref.slice(1)) {
        if (t.type !== 'string') break;
        rest.push(String(t.value));
      }
      return [base, ...rest].join('.');
    };
    const live = liveBodies(rules);
    for (const rule of live) this.rule(`data.${pkg}.${ruleName(rule)}`, rule);
    // Alias rules (`template_paths := kinds.pod_template_paths`, `_kind := input.review.kind.kind`):
    // a complete rule with no condition whose value is a reference.
    for (const r of module.rules ?? []) {
      const value = r.head.value as RegoTerm | undefined;
      if (r.head.args || r.head.key || value?.type !== 'ref' || !unconditional(r)) continue;
      const name = `data.${pkg}.${ruleName(r)}`;
      if (isInput(value) && refText(value) === 'input.review.kind.kind') this.kindRules.add(name);
      const target = this.resolve(value.value as RegoTerm[]);
      if (target) this.aliases.set(name, target);
    }
  }

  private rule(path: string, rule: RegoRule): void {
    const before = this.holders.size;
    for (const part of [rule.head.key, rule.head.value, rule.body, rule.else]) {
      this.walk(part, path, rule);
    }
    // The holder's own body may read the template through its local variable: then all of it.
    if (this.holders.size > before && this.localReads(rule.body)) this.wholeTemplate = true;
  }

  /** True when a body dereferences a local variable (t.metadata), which may be the template. */
  private localReads(node: unknown): boolean {
    if (Array.isArray(node)) return node.some((n) => this.localReads(n));
    if (node === null || typeof node !== 'object') return false;
    const n = node as { type?: unknown; value?: unknown; terms?: unknown };
    // A call's operator (object.get, is_object) is a name, not a read.
    if (Array.isArray(n.terms)) return this.localReads((n.terms as unknown[]).slice(1));
    if (n.type === 'call') return this.localReads((n.value as unknown[]).slice(1));
    if (n.type === 'ref') {
      const [head, ...rest] = n.value as RegoTerm[];
      const local =
        head?.type === 'var' && head.value !== 'input' && this.resolve([head]) === undefined;
      if (local && rest.length > 0) return true;
    }
    return Object.values(n).some((v) => this.localReads(v));
  }

  private walk(node: unknown, rulePath: string, rule: RegoRule): void {
    if (Array.isArray(node)) {
      for (const n of node) this.walk(n, rulePath, rule);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const n = node as { type?: unknown; value?: unknown; terms?: unknown; with?: unknown };
    if (Array.isArray(n.with) && n.with.length > 0) throw new NotCacheable('uses with');
    if (n.type === 'var') {
      // A bare name: input or data whole, or a rule read whole.
      if (n.value === 'input') this.input([]);
      this.ref([n as RegoTerm], rulePath, rule);
    } else if (n.type === 'ref') {
      this.ref(n.value as RegoTerm[], rulePath, rule);
    } else if (n.type === 'call') {
      this.call(n.value as RegoTerm[], rulePath, rule);
    } else if (Array.isArray(n.terms)) {
      this.call(n.terms as RegoTerm[], rulePath, rule);
    } else {
      for (const v of Object.values(n)) this.walk(v, rulePath, rule);
    }
  }

  private call(terms: RegoTerm[], rulePath: string, rule: RegoRule): void {
    const [op, ...args] = terms;
    const name = op?.type === 'ref' ? refText(op) : '';
    if (IMPURE.has(name)) throw new NotCacheable(`calls ${name}`);
    const [base, key, ...rest] = args;
    if (TYPE_CHECKS.has(name) && args.length === 1 && isInput(base)) {
      const path = inputPath(base);
      // The object of a cached request is always an object: its type reads nothing.
      if (!(path.length === 2 && path[0] === 'review' && path[1] === 'object')) this.input(path);
      this.walk((base.value as RegoTerm[]).slice(1), rulePath, rule);
      return;
    }
    if (name === 'object.get' && isInput(base)) {
      const path = inputPath(base);
      const exact = path.length === (base.value as RegoTerm[]).length - 1;
      const keyPath = constantPath(key);
      if (exact && path.length === 2 && path[0] === 'review' && path[1] === 'object') {
        if (key?.type === 'ref' && this.locatesTemplate(key.value as RegoTerm[])) {
          if (rule.head.args) throw new NotCacheable('locates the pod template in a function');
          this.holders.add(rulePath);
          this.walk(key, rulePath, rule);
          this.walk(rest, rulePath, rule);
          return;
        }
      }
      if (exact && keyPath) {
        this.input([...path, ...keyPath.map((t) => String(t.value))]);
        this.walk(rest, rulePath, rule);
        return;
      }
    }
    if (op) this.walk(op.type === 'ref' ? (op.value as RegoTerm[]).slice(1) : op, rulePath, rule);
    this.walk(args, rulePath, rule);
  }

  /**
   * True for `<rule>[<kind>]`, where <kind> is input.review.kind.kind or a rule that is it;
   * that the rule is the kinds table is checked once every module is read (record()).
   */
  private locatesTemplate(ref: RegoTerm[]): boolean {
    const table = ref.slice(0, -1);
    const index = ref[ref.length - 1];
    if (table.length === 0 || table.slice(1).some((t) => t.type !== 'string')) return false;
    const target = this.resolve(table);
    if (target === undefined || index === undefined) return false;
    if (isInput(index) && inputPath(index).join('.') === 'review.kind.kind') {
      this.locators.push([target, undefined]);
      return true;
    }
    const kind = index.type === 'var' ? this.resolve([index]) : undefined;
    if (kind === undefined) return false;
    this.locators.push([target, kind]);
    return true;
  }
  /** [table rule, the rule indexing it (undefined: input.review.kind.kind itself)]. */
  private readonly locators: [string, string | undefined][] = [];
  /** Rules whose value is input.review.kind.kind. */
  private readonly kindRules = new Set<string>();

  private ref(ref: RegoTerm[], rulePath: string, rule: RegoRule): void {
    if (isInput({ type: 'ref', value: ref })) {
      this.input(inputPath({ type: 'ref', value: ref }));
    } else {
      const target = this.resolve(ref);
      if (
        target === 'data' ||
        target === 'data.inventory' ||
        target?.startsWith('data.inventory.')
      ) {
        throw new NotCacheable('reads data.inventory');
      }
      if (target !== undefined) this.refs.push(...ruleRefs(target));
    }
    this.walk(ref.slice(1), rulePath, rule);
  }

  private input(path: string[]): void {
    if (path.length === 0) throw new NotCacheable('reads input as a whole');
    if (path[0] === 'parameters') return;
    if (path[0] !== 'review') throw new NotCacheable(`reads input.${path[0]}`);
    if (path.length === 1) throw new NotCacheable('reads input.review as a whole');
    const field = path[1]!;
    // A constant path below the object or userInfo (object.metadata.labels, userInfo.username):
    // its value goes into the key, as a request field's does. The object or userInfo whole, or
    // below a variable key (inputPath stops there, so the path is just review.object), is not.
    const below = field === 'object' || field === 'userInfo';
    if (below && path.length < 3) {
      const where = field === 'object' ? ' outside the pod template' : '';
      throw new NotCacheable(`reads input.${path.join('.')}${where}`);
    }
    if (!below && !KEYED_REQUEST_FIELDS.includes(field))
      throw new NotCacheable(`reads input.review.${field}`);
    this.request.add(path.slice(1).join('.'));
  }

  record(): PodSpecCacheRecord {
    for (const [table, kind] of this.locators) {
      if (this.follow(table) !== POD_TEMPLATE_PATHS || (kind && !this.kindRules.has(kind))) {
        throw new NotCacheable(`reads input.review.object at a path from ${table}`);
      }
    }
    for (const [path, field] of this.refs) {
      if (!this.holders.has(path)) continue;
      if (field === null) this.wholeTemplate = true;
      else this.fields.add(field);
    }
    // Keep only the shortest request paths: "kind" covers "kind.kind".
    const request = [...this.request]
      .filter((p) => ![...this.request].some((q) => q !== p && p.startsWith(`${q}.`)))
      .sort();
    return { request, template: this.wholeTemplate ? '*' : [...this.fields].sort() };
  }

  private follow(path: string): string {
    for (let i = 0; i < 8; i++) {
      const next = this.aliases.get(path);
      if (!next) return path;
      path = next;
    }
    return path;
  }
}

/**
 * [rule path, the field after it] for each prefix of a resolved reference (data.a.b.c: a rule may
 * be data.a.b with field c, or data.a.b.c read whole: null); record() picks the template's holders.
 */
function ruleRefs(target: string): [string, string | null][] {
  const parts = target.split('.');
  const out: [string, string | null][] = [];
  for (let i = 2; i <= parts.length; i++) out.push([parts.slice(0, i).join('.'), parts[i] ?? null]);
  return out;
}

/** input.<path>: the constant string keys after input (up to the first variable one). */
function inputPath(term: RegoTerm): string[] {
  const out: string[] = [];
  for (const t of (term.value as RegoTerm[]).slice(1)) {
    if (t.type !== 'string') break;
    out.push(String(t.value));
  }
  return out;
}

/** A rule without conditions: its body is the generated `true`. */
function unconditional(r: RegoRule): boolean {
  const body = r.body as { terms?: RegoTerm }[] | undefined;
  return body?.length === 1 && (body[0]!.terms as RegoTerm | undefined)?.type === 'boolean';
}

/**
 * The bodies that can change a rule's value for a CREATE: all of them, except for a complete
 * boolean rule that has a body true for every CREATE, where only that body (and the default) is.
 */
function liveBodies(rules: RegoRule[]): RegoRule[] {
  const byName = new Map<string, RegoRule[]>();
  for (const r of rules) {
    if (otherKindOnly(r)) continue;
    byName.set(ruleName(r), [...(byName.get(ruleName(r)) ?? []), r]);
  }
  const out: RegoRule[] = [];
  for (const group of byName.values()) {
    const trueForCreate = group.find((r) => isBooleanTrue(r) && createOnly(r));
    const boolean = group.every((r) => (r.default ? true : isBooleanTrue(r)));
    out.push(
      ...(trueForCreate && boolean ? group.filter((r) => r === trueForCreate || r.default) : group),
    );
  }
  return out;
}

function isBooleanTrue(r: RegoRule): boolean {
  const v = r.head.value as RegoTerm | undefined;
  const ref = r.head.ref ?? [];
  return (
    !r.head.args &&
    !r.head.key &&
    ref.length <= 1 &&
    v?.type === 'boolean' &&
    v.value === true &&
    !r.else
  );
}

/**
 * A definition (no else, not the default) whose body requires `input.review.kind.kind == "<K>"`
 * for a kind K without a pod template: it holds for no request the cache looks up (only kinds
 * with a pod template, by the same table, src/policy/source/kinds.ts), so it adds nothing to the
 * rule's value for them and what it reads is not in the key (restrict-sa-token-automount's
 * ServiceAccount check reads the object's name and the user).
 */
function otherKindOnly(r: RegoRule): boolean {
  if (r.else || r.default) return false;
  const body = r.body as { terms?: RegoTerm[] | RegoTerm; negated?: boolean; with?: unknown[] }[];
  return (body ?? []).some((e) => {
    if (e.negated || (e.with?.length ?? 0) > 0 || !Array.isArray(e.terms)) return false;
    const [op, a, b] = e.terms;
    if (op?.type !== 'ref' || refText(op) !== 'equal') return false;
    const kindRef = (t: RegoTerm | undefined) =>
      isInput(t) &&
      (t.value as RegoTerm[]).length === 4 &&
      inputPath(t).join('.') === 'review.kind.kind';
    const other = (t: RegoTerm | undefined) =>
      t?.type === 'string' && builtinKind(String(t.value))?.podTemplate === undefined;
    return (kindRef(a) && other(b)) || (kindRef(b) && other(a));
  });
}

/** A body of one expression `input.review.operation != "UPDATE"` or `== "CREATE"`. */
function createOnly(r: RegoRule): boolean {
  const body = r.body as { terms?: RegoTerm[]; negated?: boolean }[] | undefined;
  if (!body || body.length !== 1 || body[0]!.negated || !Array.isArray(body[0]!.terms))
    return false;
  const [op, a, b] = body[0]!.terms;
  const opName = op?.type === 'ref' ? refText(op) : '';
  const operation = (t: RegoTerm | undefined) =>
    isInput(t) &&
    inputPath(t).join('.') === 'review.operation' &&
    (t.value as RegoTerm[]).length === 3;
  const str = (t: RegoTerm | undefined, s: string) => t?.type === 'string' && t.value === s;
  const sides = (s: string) => (operation(a) && str(b, s)) || (operation(b) && str(a, s));
  return (opName === 'neq' && sides('UPDATE')) || (opName === 'equal' && sides('CREATE'));
}
