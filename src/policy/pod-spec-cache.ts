// The pod-spec result cache: a Deployment rollout sends one pod template as a Deployment CREATE,
// a ReplicaSet CREATE and a CREATE per Pod, and most pod policies judge only that template. What
// such a policy found is kept per snapshot, keyed by everything it reads, and served to the next
// request with the same key without evaluating it again (docs/policy-contract.md#the-pod-spec-cache).
//
// Which policies qualify, and what they read, is derived from their Rego when the bundle is built
// (palisade.json `podSpecCache`, src/policy/build/pod-spec-cacheable.ts); a bundle without the
// record caches nothing. The key of a group of policies reading the same fields holds, as the JSON
// the wasm would parse: the request fields they read (kind.kind, operation, subResource, ...),
// the template fields they read (spec; metadata only for the policies reading it), and each
// policy's id and parameters; its snapshot is implied (one cache per snapshot object, so a reload,
// new constraints or a new bundle start empty). The kind is in the key, so a path never needs
// re-prefixing: a ReplicaSet does not reuse its Deployment's entry even though both place the
// template at spec.template, which costs one evaluation per rollout and needs no proof that the
// policies' paths and messages depend on the kind only through that prefix.
//
// Only CREATEs of a kind with a pod template (the kinds table) whose template is an object, with
// no oldObject, are looked up: an UPDATE's key would hold its oldObject (pods.pod_judged reads
// it), a DELETE has no object, and Gatekeeper constraints are never cached; nor is a Pod with the
// per-Pod service-account token volume (hasTokenVolume), nor, for a Pod, a policy whose key holds
// its generated name (readsPodName).
import type { Config } from '../config/schema';
import { policyEntry, type KnownJson } from './engine';
import type { PodSpecCacheRecord } from './policy-meta';
import type { EffectivePolicy } from './policy-set';
import type { AdmissionRequest } from './request';
import type { PolicySnapshot } from './snapshot';
import { builtinKind } from './source/kinds';
import type { Violation } from './violation';

export type PodSpecCacheConfig = Config['evaluation']['podSpecCache'];

interface Entry {
  violations: readonly Violation[];
  /** The template texts its key names, released when it goes. */
  texts: readonly string[];
  bytes: number;
}

/**
 * A group's key: the header (the request fields' JSON) and the interned texts: the record with
 * the policies' entries, and the JSON of each template field it reads.
 */
export interface CacheKey {
  header: string;
  texts: readonly string[];
}

/**
 * Bounded in entries and bytes (keys' text, each template text once, violations' JSON); the least
 * recently used entry goes. A template text (a PodSpec's JSON, kilobytes) is interned: the Map key
 * holds its number, and the text itself is the key of the interning Map, so only equal texts share
 * a number and only an equal key is ever a hit; each text is hashed once per request, not once per
 * group.
 */
export class PodSpecCache {
  private readonly entries = new Map<string, Entry>();
  private readonly texts = new Map<string, { id: number; refs: number }>();
  private nextId = 0;
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly limits: { maxEntries: number; maxBytes: number }) {}

  get size(): number {
    return this.entries.size;
  }

  get byteSize(): number {
    return this.bytes;
  }

  get(key: CacheKey): readonly Violation[] | undefined {
    const k = this.keyText(key, false);
    const entry = k === undefined ? undefined : this.entries.get(k);
    if (entry === undefined) {
      this.misses++;
      return undefined;
    }
    this.entries.delete(k!);
    this.entries.set(k!, entry);
    this.hits++;
    return entry.violations;
  }

  set(key: CacheKey, violations: readonly Violation[]): void {
    const own = key.header.length + JSON.stringify(violations).length;
    const textBytes = key.texts.reduce((n, t) => n + t.length, 0);
    if (own + textBytes > this.limits.maxBytes || this.limits.maxEntries === 0) return;
    const k = this.keyText(key, true)!;
    this.drop(k);
    this.entries.set(k, { violations: violations.map(freeze), texts: key.texts, bytes: own });
    this.bytes += own;
    while (this.entries.size > this.limits.maxEntries || this.bytes > this.limits.maxBytes) {
      this.drop(this.entries.keys().next().value!);
    }
  }

  /** header NUL id... (JSON text never holds a raw NUL); undefined when a text is unknown. */
  private keyText(key: CacheKey, intern: boolean): string | undefined {
    let k = key.header;
    for (const text of key.texts) {
      let t = this.texts.get(text);
      if (t === undefined) {
        if (!intern) return undefined;
        t = { id: this.nextId++, refs: 0 };
        this.texts.set(text, t);
        this.bytes += text.length;
      }
      if (intern) t.refs++;
      k += `\0${t.id}`;
    }
    return k;
  }

  private drop(k: string): void {
    const old = this.entries.get(k);
    if (!old) return;
    this.entries.delete(k);
    this.bytes -= old.bytes;
    for (const text of old.texts) {
      const t = this.texts.get(text)!;
      if (--t.refs === 0) {
        this.texts.delete(text);
        this.bytes -= text.length;
      }
    }
  }
}

const caches = new WeakMap<PolicySnapshot, PodSpecCache | null>();

/** The snapshot's cache, made on first use; undefined when evaluation.podSpecCache is off. */
export function podSpecCache(snapshot: PolicySnapshot): PodSpecCache | undefined {
  let cache = caches.get(snapshot);
  if (cache === undefined) {
    // A config made by hand (a test, an embedder), not by loadConfig, may lack the block: off.
    const limits = snapshot.config.evaluation.podSpecCache as PodSpecCacheConfig | undefined;
    cache = limits && limits.maxEntries > 0 ? new PodSpecCache(limits) : null;
    caches.set(snapshot, cache);
  }
  return cache ?? undefined;
}

/** What a request needs beyond the cache: the policies to evaluate, and the keys to fill. */
export interface CachePlan {
  /** The violations the cache served, of the policies it covered. */
  served: Violation[];
  /** The policies still to evaluate (not cacheable, or in a group that missed), in set order. */
  evaluate: EffectivePolicy[];
  /** Each group that missed: its key and its policies, to keep after the evaluation. */
  pending: { key: CacheKey; ids: ReadonlySet<string> }[];
  /** The template's spec as serialized for the keys, for serializeInput to reuse. */
  known?: KnownJson;
}

/** The plan for a request, or undefined when the cache cannot serve this request at all. */
export function planCached(
  cache: PodSpecCache,
  req: AdmissionRequest,
  policies: readonly EffectivePolicy[],
): CachePlan | undefined {
  const located = cachedTemplate(req);
  if (located === undefined) return undefined;
  const { template, path } = located;
  const groups = new Map<string, EffectivePolicy[]>();
  const isPod = req.kind.kind === 'Pod';
  for (const p of policies) {
    const sig = signature(p);
    if (sig === null || (isPod && readsPodName(p))) continue;
    const group = groups.get(sig);
    if (group) group.push(p);
    else groups.set(sig, [p]);
  }
  if (groups.size === 0) return undefined;
  const served: Violation[] = [];
  const covered = new Set<EffectivePolicy>();
  const pending: CachePlan['pending'] = [];
  const texts = new Map<string, string>();
  for (const [sig, group] of groups) {
    const key = groupKey(sig, cacheable(group[0]!)!, req, template, group, texts);
    const hit = cache.get(key);
    if (hit) {
      served.push(...hit);
      for (const p of group) covered.add(p);
    } else {
      pending.push({ key, ids: new Set(group.map((p) => p.id)) });
    }
  }
  const spec = texts.get('spec');
  const known =
    spec !== undefined && isObject(template.spec)
      ? { path: [...path, 'spec'], value: template.spec, json: spec.slice('spec='.length) }
      : undefined;
  return {
    served,
    evaluate: policies.filter((p) => !covered.has(p)),
    pending,
    ...(known ? { known } : {}),
  };
}

/** Keeps each missed group's violations from the evaluation of `plan.evaluate`. */
export function keepEvaluated(cache: PodSpecCache, plan: CachePlan, found: readonly Violation[]) {
  for (const { key, ids } of plan.pending) {
    cache.set(
      key,
      found.filter((v) => ids.has(v.policy)),
    );
  }
}

/** The pod template of a request the cache may serve, else undefined. */
function cachedTemplate(
  req: AdmissionRequest,
): { template: Record<string, unknown>; path: readonly string[] } | undefined {
  if (req.operation !== 'CREATE' || (req.oldObject !== undefined && req.oldObject !== null)) {
    return undefined;
  }
  const path = builtinKind(req.kind?.kind)?.podTemplate;
  let t: unknown = req.object;
  for (const k of path ?? []) t = isObject(t) ? t[k] : undefined;
  if (!path || !isObject(t) || (req.kind.kind === 'Pod' && hasTokenVolume(t))) return undefined;
  return { template: t, path };
}

/**
 * A Pod with the projected service-account token volume the apiserver's ServiceAccount admission
 * adds, named kube-api-access-<5 random characters> per Pod (with a mount in every container):
 * its spec is its own, so its entry could only serve the same Pod sent again, and looking it up
 * costs ~15% of its evaluation (serializing and hashing the spec). Not looked up; skipping is
 * always exact. A template never carries it (only Pods get it), nor does a Pod whose template sets
 * automountServiceAccountToken: false.
 */
function hasTokenVolume(pod: Record<string, unknown>): boolean {
  const volumes = isObject(pod.spec) ? pod.spec.volumes : undefined;
  return (
    Array.isArray(volumes) &&
    volumes.some(
      (v) =>
        isObject(v) &&
        isObject(v.projected) &&
        typeof v.name === 'string' &&
        v.name.startsWith('kube-api-access-'),
    )
  );
}

/** The policy's record as JSON when it is cacheable, else null; kept by the policy's identity. */
function signature(p: EffectivePolicy): string | null {
  let sig = signatures.get(p);
  if (sig === undefined) {
    const record = cacheable(p);
    sig = record ? JSON.stringify(record) : null;
    signatures.set(p, sig);
  }
  return sig;
}
const signatures = new WeakMap<EffectivePolicy, string | null>();

/**
 * True when the policy's key holds a Pod's name: the request's name or the object's
 * metadata.name (or above it), or the template's metadata or all of it (a Pod's template is the
 * Pod). Every Pod of a rollout has its own generated name, so such an entry could only serve the
 * same Pod sent again: for a Pod it is not looked up (nor kept), which is always exact
 * (disallow-default-namespace, pss-baseline-apparmor, pss-baseline-seccomp).
 */
function readsPodName(p: EffectivePolicy): boolean {
  let v = podNameReaders.get(p);
  if (v === undefined) {
    const r = cacheable(p)!;
    const name = ['name', 'object', 'object.metadata', 'object.metadata.name'];
    v =
      r.template === '*' ||
      r.template.includes('metadata') ||
      r.request.some((f) => name.includes(f));
    podNameReaders.set(p, v);
  }
  return v;
}
const podNameReaders = new WeakMap<EffectivePolicy, boolean>();

/** The policy's record when it is cacheable (a well-formed record, not a constraint). */
function cacheable(
  p: EffectivePolicy,
): Extract<PodSpecCacheRecord, { request: unknown }> | undefined {
  const r = p.meta.podSpecCache as Record<string, unknown> | undefined;
  if (p.constraint || !r || !Array.isArray(r.request)) return undefined;
  if (!r.request.every((f) => typeof f === 'string')) return undefined;
  const t = r.template;
  if (t !== '*' && !(Array.isArray(t) && t.every((f) => typeof f === 'string'))) return undefined;
  return r as Extract<PodSpecCacheRecord, { request: unknown }>;
}

/** The key of a group: `texts` keeps each template field's JSON for the request's groups. */
function groupKey(
  sig: string,
  record: Extract<PodSpecCacheRecord, { request: unknown }>,
  req: AdmissionRequest,
  template: Record<string, unknown>,
  group: readonly EffectivePolicy[],
  texts: Map<string, string>,
): CacheKey {
  // Parts joined by NUL, which JSON text never holds raw; a missing field is `~`, never JSON.
  const request = record.request.map((path) => json(at(req, path.split('.')))).join('\0');
  const out = [policiesText(sig, group)];
  const fields = record.template === '*' ? ['*'] : record.template;
  for (const f of fields) {
    let text = texts.get(f);
    if (text === undefined) {
      text = `${f}=${json(f === '*' ? template : template[f])}`;
      texts.set(f, text);
    }
    out.push(text);
  }
  return { header: request, texts: out };
}

/**
 * The record and the group's policy entries (ids and parameters) as one text, the same string
 * object while the group's policies are the same objects: it is interned once, and its hash is
 * computed once, not per request.
 */
function policiesText(sig: string, group: readonly EffectivePolicy[]): string {
  const known = groupTexts.get(group[0]!)?.get(sig);
  if (known && known.group.length === group.length && known.group.every((p, i) => p === group[i])) {
    return known.text;
  }
  const text = [sig, ...group.map(policyEntry)].join('\0');
  const bySig =
    groupTexts.get(group[0]!) ?? new Map<string, { group: EffectivePolicy[]; text: string }>();
  bySig.set(sig, { group: [...group], text });
  groupTexts.set(group[0]!, bySig);
  return text;
}
const groupTexts = new WeakMap<
  EffectivePolicy,
  Map<string, { group: EffectivePolicy[]; text: string }>
>();

function at(value: unknown, path: readonly string[]): unknown {
  for (const k of path) value = isObject(value) ? value[k] : undefined;
  return value;
}

function json(value: unknown): string {
  return value === undefined ? '~' : JSON.stringify(value);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A kept violation is shared by every request it serves: nobody may change it. */
function freeze(v: Violation): Violation {
  return Object.freeze({ ...v, details: Object.freeze({ ...v.details }) });
}
