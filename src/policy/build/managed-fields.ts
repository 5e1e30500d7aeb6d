// Decides whether a policy's Rego may see metadata.managedFields of input.review.object or
// oldObject (palisade.json `readsManagedFields`); when no applicable policy may, the webhook leaves
// it out of the evaluation input (src/policy/input-fields.ts): the apiserver's server-side apply
// bookkeeping, ~10 KB on a Deployment, that no built-in policy reads
// (docs/policy-contract.md#what-a-policy-reads).
//
// The rules the violation depends on (`opa deps`, as reads.ts) are followed as values flow: each
// value carries the places where it may hold the object's (or oldObject's) ObjectMeta, as paths
// below it (input: review.object.metadata and review.oldObject.metadata; `_template` of
// pods.rego: metadata, for a Pod's template is the object itself). A reference with a constant
// key narrows the paths; object.get through a constant path or the generated kinds table
// (kinds.pod_template_paths) alike. The policy may read managedFields (the safe answer) when:
//   - a rule names "managedFields" (a reference segment or any string constant);
//   - the ObjectMeta itself is iterated or indexed by a variable, or counted;
//   - a value that may hold it is compared, hashed (a set element, an object key), handed to a
//     builtin (json.marshal, sprintf, walk, object.keys, ...), or unified with `=`;
//   - a value may hold the ObjectMeta of both object and oldObject (a conflict error between
//     two values that differ only in managedFields would disappear);
//   - `with`, or a data reference that is not a rule (a package as a value).
// Type checks (is_object, ...) look at no key, so they read nothing.
import { packageName } from './aggregator';
import type { Opa, RegoModule, RegoRule, RegoTerm } from './opa';
import { constantPath, refText, ruleName, TYPE_CHECKS, usedRules } from './reads';

/** palisade.json `readsManagedFields` of every policy, by id. */
export async function managedFieldsRecords(
  opa: Opa,
  files: readonly string[],
  policies: readonly { id: string; package: string }[],
): Promise<Map<string, boolean>> {
  const found = await Promise.all(policies.map((p) => managedFieldsRead(opa, files, p.package)));
  return new Map(policies.map((p, i) => [p.id, found[i]!.reads]));
}

/** Whether the policy package's violation may read metadata.managedFields, and why. */
export async function managedFieldsRead(
  opa: Opa,
  files: readonly string[],
  pkg: string,
): Promise<{ reads: boolean; reason?: string }> {
  const used = await usedRules(opa, files, pkg);
  try {
    const flow = new Flow(used);
    for (const { module, used: rules } of used) {
      if (JSON.stringify([module.imports ?? [], rules]).includes('"managedFields"')) {
        throw new Reads(`package ${packageName(module)} names managedFields`);
      }
    }
    flow.rule(`data.${pkg}.violation`);
    return { reads: false };
  } catch (thrown) {
    if (thrown instanceof Reads) return { reads: true, reason: thrown.message };
    throw thrown;
  }
}

class Reads extends Error {}

/** Where a value may hold an ObjectMeta: "<origin>|<JSON path below the value>", '*' any key. */
type Taint = ReadonlySet<string>;
const NONE: Taint = new Set();
const INPUT: Taint = new Set([
  `object|${JSON.stringify(['review', 'object', 'metadata'])}`,
  `oldObject|${JSON.stringify(['review', 'oldObject', 'metadata'])}`,
]);

function entries(t: Taint): { origin: string; path: string[] }[] {
  return [...t].map((e) => {
    const bar = e.indexOf('|');
    return { origin: e.slice(0, bar), path: JSON.parse(e.slice(bar + 1)) as string[] };
  });
}
function taint(list: { origin: string; path: string[] }[]): Taint {
  return new Set(list.map(({ origin, path }) => `${origin}|${JSON.stringify(path)}`));
}
function union(...ts: Taint[]): Taint {
  return new Set(ts.flatMap((t) => [...t]));
}
/** True when the value may be the ObjectMeta itself. */
function isMeta(t: Taint): boolean {
  return entries(t).some((e) => e.path.length === 0);
}
/** The value below a key (a constant string, or undefined for any key). */
function below(t: Taint, key: string | undefined, why: string): Taint {
  if (isMeta(t)) {
    if (key === undefined) throw new Reads(`${why}: a variable key of the ObjectMeta`);
    if (key === 'managedFields') throw new Reads(`${why}: managedFields`);
  }
  return taint(
    entries(t)
      .filter(
        (e) => e.path.length > 0 && (key === undefined || e.path[0] === '*' || e.path[0] === key),
      )
      .map((e) => ({ origin: e.origin, path: e.path.slice(1) })),
  );
}
function under(t: Taint, key: string): Taint {
  return taint(entries(t).map((e) => ({ origin: e.origin, path: [key, ...e.path] })));
}
function must(t: Taint, why: string): void {
  if (t.size > 0) throw new Reads(`${why} a value that may hold the ObjectMeta`);
}

type Env = Map<string, Taint>;

interface Def {
  module: RegoModule;
  pkg: string;
  rule: RegoRule;
}

class Flow {
  /** Used rules by their root, data.<package>.<first head segment>. */
  private readonly defs = new Map<string, Def[]>();
  private readonly done = new Map<string, Taint>();
  private readonly active = new Set<string>();
  private readonly calls = new Map<string, Taint>();

  constructor(used: readonly { module: RegoModule; used: RegoRule[] }[]) {
    for (const { module, used: rules } of used) {
      const pkg = packageName(module);
      for (const rule of rules) {
        const root = `data.${pkg}.${ruleName(rule)}`;
        this.defs.set(root, [...(this.defs.get(root) ?? []), { module, pkg, rule }]);
      }
    }
  }

  /** What the rule at `root` (all its definitions) may hold. */
  rule(root: string): Taint {
    const known = this.done.get(root);
    if (known) return known;
    if (this.active.has(root)) return NONE; // Rego has no recursion; a cycle adds nothing
    this.active.add(root);
    const defs = this.defs.get(root) ?? [];
    const out = defs.map((d) => this.definition(d, root));
    const all = union(...out);
    if (new Set(entries(all).map((e) => e.origin)).size > 1) {
      throw new Reads(`${root} may hold the ObjectMeta of both object and oldObject`);
    }
    this.active.delete(root);
    this.done.set(root, all);
    return all;
  }

  private definition(d: Def, root: string): Taint {
    if (d.rule.head.args?.length) return NONE; // a function: followed at each call
    const ref = d.rule.head.ref ?? [];
    let t: Taint = NONE;
    for (let branch: RegoRule | undefined = d.rule; branch; branch = branch.else as RegoRule) {
      const env = this.body(branch.body, new Map(), d);
      const head = branch.head;
      if (head.key !== undefined && head.value === undefined) {
        must(this.term(head.key as RegoTerm, env, d), `${root} holds in a set`);
        continue;
      }
      let value = head.value ? this.term(head.value as RegoTerm, env, d) : NONE;
      if (head.key !== undefined && ref.length === 1) {
        // p[k] = v with the key outside the head's ref: the value sits below the key
        must(this.term(head.key as RegoTerm, env, d), `${root} keys by`);
        value = under(value, '*');
      }
      // a.b[k] := v: the value sits below the head's keys
      for (let i = ref.length - 1; i >= 1; i--) {
        const seg = ref[i]!;
        if (seg.type !== 'string') must(this.term(seg, env, d), `${root} keys by`);
        value = under(value, seg.type === 'string' ? String(seg.value) : '*');
      }
      t = union(t, value);
    }
    return t;
  }

  private callFunction(root: string, args: Taint[]): Taint {
    const key = `${root}(${JSON.stringify(args.map((a) => [...a].sort()))})`;
    const known = this.calls.get(key);
    if (known) return known;
    this.calls.set(key, NONE);
    let out: Taint = NONE;
    for (const d of this.defs.get(root) ?? []) {
      for (let branch: RegoRule | undefined = d.rule; branch; branch = branch.else as RegoRule) {
        const env: Env = new Map();
        (branch.head.args ?? []).forEach((a, i) =>
          this.bind(a as RegoTerm, args[i] ?? NONE, env, d),
        );
        this.body(branch.body, env, d);
        out = union(
          out,
          branch.head.value ? this.term(branch.head.value as RegoTerm, env, d) : NONE,
        );
      }
    }
    if (new Set(entries(out).map((e) => e.origin)).size > 1) {
      throw new Reads(`${root} may return the ObjectMeta of both object and oldObject`);
    }
    this.calls.set(key, out);
    return out;
  }

  /** Runs a body to a fixpoint (a variable may be used above its binding). */
  private body(body: unknown, env: Env, d: Def): Env {
    const exprs = (Array.isArray(body) ? body : []) as Record<string, unknown>[];
    for (let round = 0; round < 20; round++) {
      const before = size(env);
      for (const e of exprs) this.expr(e, env, d);
      if (size(env) === before) return env;
    }
    throw new Reads('a body whose values do not settle');
  }

  private expr(e: Record<string, unknown>, env: Env, d: Def): void {
    if (Array.isArray(e.with) && e.with.length > 0) throw new Reads('`with` replaces a value');
    const terms = e.terms as unknown;
    if (Array.isArray(terms)) {
      this.call(terms as RegoTerm[], env, d, true);
      return;
    }
    const t = terms as Record<string, unknown>;
    if (Array.isArray(t.symbols)) {
      for (const s of t.symbols as RegoTerm[]) {
        if (s.type === 'call') this.some(s.value as RegoTerm[], env, d);
      }
      return;
    }
    if ('domain' in t) {
      // every k, v in domain { body }
      const domain = this.term(t.domain as RegoTerm, env, d);
      const inner = new Map(env);
      if (t.key) this.bind(t.key as RegoTerm, NONE, inner, d, true);
      if (t.value) this.bind(t.value as RegoTerm, below(domain, undefined, 'every'), inner, d);
      this.body(t.body, inner, d);
      return;
    }
    this.term(terms as RegoTerm, env, d);
  }

  /** `some k, v in xs` / `some x in xs`: bindings, not tests. */
  private some(call: RegoTerm[], env: Env, d: Def): void {
    const [op, ...args] = call;
    const name = op ? refText(op) : '';
    const domain = this.term(args[args.length - 1]!, env, d);
    const elem = below(domain, undefined, 'some ... in');
    if (name === 'internal.member_3') {
      this.bind(args[0]!, NONE, env, d);
      this.bind(args[1]!, elem, env, d);
    } else {
      this.bind(args[0]!, elem, env, d);
    }
  }

  /** Binds a pattern (a variable, an array or object of them) to a value. */
  private bind(p: RegoTerm, t: Taint, env: Env, d: Def, isKey = false, isPath = false): void {
    if (p.type === 'var') {
      if (isKey) must(t, 'a key binds');
      // bound otherwise than to constant paths: its constant paths are not all it can be
      if (!isPath) env.set(constKey(String(p.value)), POISON);
      env.set(String(p.value), union(env.get(String(p.value)) ?? NONE, t));
    } else if (p.type === 'array') {
      for (const x of p.value as RegoTerm[]) this.bind(x, below(t, undefined, 'a pattern'), env, d);
    } else if (p.type === 'object') {
      for (const [k, v] of p.value as [RegoTerm, RegoTerm][]) {
        const key = k.type === 'string' ? String(k.value) : undefined;
        this.bind(v, below(t, key, 'a pattern'), env, d);
      }
    } else {
      must(t, 'a pattern compares');
      this.term(p, env, d);
    }
  }

  /** A call [operator, ...args], as an expression (asExpr) or a term. */
  private call(terms: RegoTerm[], env: Env, d: Def, asExpr = false): Taint {
    const [op, ...args] = terms;
    const name = op?.type === 'ref' ? refText(op) : '';
    if (asExpr && name === 'assign' && args.length === 2) {
      const [lhs, rhs] = [args[0]!, args[1]!];
      const paths = lhs.type === 'var' ? this.constantPaths(rhs, env, d) : undefined;
      this.bind(lhs, this.term(rhs, env, d), env, d, false, paths !== undefined);
      if (paths) {
        const k = constKey(String(lhs.value));
        env.set(k, union(env.get(k) ?? NONE, new Set(paths.map((p) => JSON.stringify(p)))));
      }
      return NONE;
    }
    if (name === 'object.get' && args.length === 3) {
      const base = this.term(args[0]!, env, d);
      const fallback = this.term(args[2]!, env, d);
      const paths = this.constantPaths(args[1]!, env, d);
      if (paths === undefined) {
        must(base, 'object.get with a computed path reads');
        return fallback;
      }
      return union(
        fallback,
        ...paths.map((p) => p.reduce((t, k) => below(t, k, 'object.get'), base)),
      );
    }
    const user = op?.type === 'ref' ? this.resolve(op.value as RegoTerm[], d) : undefined;
    const argTaints = args.map((a) => this.term(a, env, d));
    if (user && this.defs.has(user)) return this.callFunction(user, argTaints);
    if (TYPE_CHECKS.has(name)) return NONE;
    if (name === 'count' && argTaints.every((t) => !isMeta(t))) return NONE;
    argTaints.forEach((t) => must(t, `${name || 'a call'} reads`));
    return NONE;
  }

  /** The constant paths object.get's key can take: a literal, or the kinds table's values. */
  private constantPaths(key: RegoTerm, env: Env, d: Def): string[][] | undefined {
    const constant = constantPath(key);
    if (constant) return [constant.map((t) => String(t.value))];
    if (key.type === 'var') {
      const known = env.get(constKey(String(key.value)));
      if (!known || known.has(POISON_MARK)) return undefined;
      return [...known].map((p) => JSON.parse(p) as string[]);
    }
    if (key.type === 'call') {
      // array.concat(a, b) of constant paths: every pairing
      const [op, a, b] = key.value as RegoTerm[];
      if (op?.type !== 'ref' || refText(op) !== 'array.concat' || !a || !b) return undefined;
      const [as, bs] = [this.constantPaths(a, env, d), this.constantPaths(b, env, d)];
      return as && bs ? as.flatMap((x) => bs.map((y) => [...x, ...y])) : undefined;
    }
    if (key.type !== 'ref') return undefined;
    // <table>[key]: every value of a rule that is an object literal of string arrays
    const ref = key.value as RegoTerm[];
    const last = ref[ref.length - 1];
    if (ref.length < 2 || !last) return undefined;
    must(this.term(last, env, d), 'a key is');
    const table = this.literal(this.resolve(ref.slice(0, -1), d));
    if (table?.type !== 'object') return undefined;
    const values = (table.value as [RegoTerm, RegoTerm][]).map(([, v]) => constantPath(v) ?? []);
    if (
      (table.value as [RegoTerm, RegoTerm][]).some(([, v]) => !constantPath(v) && !emptyArray(v))
    ) {
      return undefined;
    }
    return values.map((v) => v.map((t) => String(t.value)));
  }

  /** The literal value of a rule with one unconditional definition, through aliases. */
  private literal(root: string | undefined, depth = 0): RegoTerm | undefined {
    const defs = root === undefined ? undefined : this.defs.get(root);
    if (!defs || defs.length !== 1 || depth > 8) return undefined;
    const { rule } = defs[0]!;
    const value = rule.head.value as RegoTerm | undefined;
    if (!value || rule.else || (rule.head.ref ?? []).length > 1 || !trueBody(rule.body))
      return undefined;
    if (value.type === 'ref')
      return this.literal(this.resolve(value.value as RegoTerm[], defs[0]!), depth + 1);
    return value;
  }

  /** data.<path> of a reference to a rule root (through imports, the package's rules), or undefined. */
  private resolve(ref: RegoTerm[], d: Def): string | undefined {
    const head = ref[0];
    if (head?.type !== 'var') return undefined;
    let path: string[];
    const alias = this.importOf(String(head.value), d);
    if (head.value === 'data') path = ['data'];
    else if (alias) path = alias;
    else if (this.defs.has(`data.${d.pkg}.${String(head.value)}`))
      path = ['data', ...d.pkg.split('.'), String(head.value)];
    else return undefined;
    for (const seg of ref.slice(1)) {
      if (this.defs.has(path.join('.'))) break;
      if (seg.type !== 'string') return undefined;
      path = [...path, String(seg.value)];
    }
    return path.join('.');
  }

  private importOf(name: string, d: Def): string[] | undefined {
    for (const i of d.module.imports ?? []) {
      const segs = (i.path.value as RegoTerm[]).map((t) => String(t.value));
      const alias = (i as { alias?: string }).alias ?? segs[segs.length - 1];
      if (alias === name && segs[0] === 'data') return segs;
      if (alias === name && segs[0] === 'input') throw new Reads(`import ${segs.join('.')}`);
      if (alias === name) return undefined;
    }
    return undefined;
  }

  /** What a term's value may hold, checking what it reads on the way. */
  term(t: RegoTerm, env: Env, d: Def): Taint {
    switch (t.type) {
      case 'ref':
        return this.ref(t.value as RegoTerm[], env, d);
      case 'call':
        return this.call(t.value as RegoTerm[], env, d);
      case 'var':
        return this.ref([t], env, d);
      case 'array':
        return union(...(t.value as RegoTerm[]).map((x) => under(this.term(x, env, d), '*')));
      case 'object':
        return union(
          ...(t.value as [RegoTerm, RegoTerm][]).map(([k, v]) => {
            must(this.term(k, env, d), 'an object key is');
            return under(this.term(v, env, d), k.type === 'string' ? String(k.value) : '*');
          }),
        );
      case 'set':
        for (const x of t.value as RegoTerm[]) must(this.term(x, env, d), 'a set holds');
        return NONE;
      case 'arraycomprehension':
      case 'setcomprehension':
      case 'objectcomprehension': {
        const c = t.value as { term?: RegoTerm; key?: RegoTerm; value?: RegoTerm; body: unknown };
        const inner = this.body(c.body, new Map(env), d);
        if (t.type === 'setcomprehension') {
          must(this.term(c.term!, inner, d), 'a set holds');
          return NONE;
        }
        if (t.type === 'objectcomprehension') must(this.term(c.key!, inner, d), 'an object key is');
        return under(this.term((c.term ?? c.value)!, inner, d), '*');
      }
      case 'templatestring': {
        // $"... {x} ...": each value is written into the string, all of it
        const parts = (t.value as { parts?: unknown[] }).parts ?? [];
        for (const part of parts as Record<string, unknown>[]) {
          if (!('terms' in part)) continue;
          const terms = part.terms as RegoTerm | RegoTerm[];
          const value = Array.isArray(terms) ? this.call(terms, env, d) : this.term(terms, env, d);
          must(value, 'a template string writes');
        }
        return NONE;
      }
      case 'null':
      case 'boolean':
      case 'number':
      case 'string':
        return NONE;
      default:
        throw new Reads(`a term of type ${t.type}, not followed`);
    }
  }

  private ref(ref: RegoTerm[], env: Env, d: Def): Taint {
    const head = ref[0]!;
    let t: Taint;
    let rest: RegoTerm[];
    if (head.type === 'var') {
      const name = String(head.value);
      const alias = this.importOf(name, d);
      if (name === 'input') {
        t = INPUT;
        rest = ref.slice(1);
      } else if (env.has(name)) {
        t = env.get(name)!;
        rest = ref.slice(1);
      } else if (name === 'data' || alias || this.defs.has(`data.${d.pkg}.${name}`)) {
        const root = this.resolve(ref, d);
        const path = alias ?? (name === 'data' ? ['data'] : ['data', ...d.pkg.split('.'), name]);
        if (root === undefined || !this.defs.has(root)) {
          const prefix = (root ?? path.join('.')) + '.';
          if ([...this.defs.keys()].some((k) => k.startsWith(prefix))) {
            throw new Reads(`${root ?? path.join('.')} is read as a whole`);
          }
          for (const seg of ref.slice(1)) if (seg.type !== 'string') this.term(seg, env, d);
          return NONE; // the bundle's data, not the request
        }
        t = this.rule(root);
        rest = ref.slice(root.split('.').length - path.length + 1);
      } else {
        return NONE; // a fresh variable
      }
    } else {
      t = this.term(head, env, d);
      rest = ref.slice(1);
    }
    for (const seg of rest) {
      if (seg.type === 'string') {
        t = below(t, String(seg.value), 'a reference reads');
      } else if (seg.type === 'number') {
        t = below(t, String(seg.value), 'a reference reads');
      } else {
        must(this.term(seg, env, d), 'a key is');
        t = below(t, undefined, 'a reference reads');
        if (seg.type === 'var' && !env.has(String(seg.value))) this.bind(seg, NONE, env, d, true);
      }
    }
    return t;
  }
}

/** The env entry of a variable's constant paths (object.get keys), beside its taint. */
function constKey(name: string): string {
  return `\u0000${name}`;
}
const POISON_MARK = '\u0000poison';
const POISON: Taint = new Set([POISON_MARK]);

function size(env: Env): number {
  let n = 0;
  for (const t of env.values()) n += t.size + 1;
  return n;
}
function trueBody(body: unknown): boolean {
  const b = body as { terms?: RegoTerm }[] | undefined;
  return !b || (b.length === 1 && b[0]!.terms?.type === 'boolean' && b[0]!.terms.value === true);
}
function emptyArray(t: RegoTerm): boolean {
  return t.type === 'array' && (t.value as unknown[]).length === 0;
}
