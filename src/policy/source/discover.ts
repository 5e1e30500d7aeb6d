// Policy folders (policies/<id>/: policy.rego, policy.yaml, examples/, docs/policy-contract.md)
// found and validated, for the build, `palisade test`, the generators and the tests. Every
// problem is collected, each naming its file, never the first one only. policy.yaml is read as
// YAML 1.1 (yaml.ts), checked field by field with the messages authors know, then against
// policies/policy.schema.json (the file editors use for completion) for anything else; its
// `$pods` alias is expanded from the kinds table, and a policy that uses the pod library but
// leaves out a pod kind without excluding it is refused (checkPodKinds).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { PolicyMeta } from '../policy-meta';
import { checkExampleFiles } from './example-files';
import { checkMetadata, checkSchema } from './metadata';
import { expandKinds, POD_KINDS, PODS_ALIAS } from './kinds';
import { describeProblem, parseYaml } from './yaml';

export interface PolicySource {
  id: string;
  /** The Rego package of policy.rego: `policies.<id with _ for ->`. */
  package: string;
  dir: string;
  /** policy.yaml, validated, with match.kinds expanded (`$pods`) and excludeKinds applied. */
  meta: PolicyMeta;
  /** The pod kinds match.excludeKinds leaves out of `$pods` on purpose. */
  excludedKinds: readonly string[];
  /** The policy's Rego sources (not *_test.rego, not under examples/), sorted. */
  regoFiles: string[];
}

/** Folders under the policies root that are not policies: the shared library and hidden ones. */
const NOT_POLICIES = new Set(['lib']);
const ID_RE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export const packageFor = (id: string): string => `policies.${id.replace(/-/g, '_')}`;

/** The policy folder names under root (lib, .x and _x are not policies), sorted. */
export function findPolicyFolders(root: string): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !NOT_POLICIES.has(e.name) && !/^[._]/.test(e.name))
    .map((e) => e.name)
    .sort();
}

/** Files under dir (recursively, skipping folders `skip` names) whose name passes pred, sorted. */
export function listFiles(
  dir: string,
  pred: (name: string) => boolean,
  skip: (dirName: string) => boolean = () => false,
): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (!skip(e.name)) out.push(...listFiles(p, pred, skip));
    } else if (pred(e.name)) out.push(p);
  }
  return out.sort();
}

/** A policy's Rego sources: *.rego but *_test.rego, outside examples/. */
export function regoSources(dir: string): string[] {
  return listFiles(
    dir,
    (f) => f.endsWith('.rego') && !f.endsWith('_test.rego'),
    (d) => d === 'examples',
  );
}

/** The package a Rego file declares (its first `package` statement), or null. */
function regoPackage(text: string): string | null {
  return /^[ \t]*package[ \t]+([^\s#]+)/m.exec(text)?.[1] ?? null;
}

/**
 * Every policy folder under root, validated. `policies` holds the folders without a problem;
 * `errors` every problem found (an empty list means the whole tree is valid). checkPodKinds runs
 * on each policy here: callers need not run it again.
 */
export function loadPolicySources(root: string): { policies: PolicySource[]; errors: string[] } {
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    return { policies: [], errors: [`${root}: not a directory`] };
  }
  const errors: string[] = [];
  const policies: PolicySource[] = [];
  for (const id of findPolicyFolders(root)) {
    const own: string[] = [];
    const source = loadOne(root, id, own);
    if (source) own.push(...checkPodKinds(source));
    errors.push(...own);
    if (source && own.length === 0) policies.push(source);
  }
  if (policies.length === 0 && errors.length === 0) errors.push(`${root}: no policy folders found`);
  return { policies, errors };
}

function loadOne(root: string, id: string, errors: string[]): PolicySource | undefined {
  const dir = join(root, id);
  if (!ID_RE.test(id)) {
    errors.push(
      `${dir}: folder name "${id}" is not a valid policy id (lowercase letters, digits, single dashes)`,
    );
    return undefined;
  }
  const rego = join(dir, 'policy.rego');
  const yml = join(dir, 'policy.yaml');
  if (!existsSync(rego)) errors.push(`${dir}: missing policy.rego`);
  if (!existsSync(yml)) errors.push(`${dir}: missing policy.yaml`);
  if (!existsSync(rego) || !existsSync(yml)) return undefined;

  const pkg = packageFor(id);
  const regoFiles = regoSources(dir);
  let hasViolation = false;
  for (const f of regoFiles) {
    const text = readFileSync(f, 'utf8');
    const got = regoPackage(text);
    if (got !== pkg && !(got ?? '').startsWith(`${pkg}.`)) {
      errors.push(`${f}: package is ${got ?? '(none)'}, must be ${pkg} (policy id "${id}")`);
    }
    if (got === pkg && /^[ \t]*violation[ \t]+contains\b/m.test(text)) hasViolation = true;
  }
  if (!hasViolation) {
    errors.push(`${dir}: no "violation contains ... if { ... }" rule in package ${pkg}`);
  }

  const { value, problems } = parseYaml(yml, readFileSync(yml, 'utf8'));
  if (problems.length > 0) {
    errors.push(...problems.map(describeProblem));
    return undefined;
  }
  const before = errors.length;
  checkMetadata(value, id, yml, errors);
  if (errors.length === before) checkSchema(value, yml, errors);
  checkExampleFiles(dir, errors);
  if (errors.length > before) return undefined;
  const meta = value as PolicyMeta & { match: { excludeKinds?: string[] } };
  const { excludeKinds = [], ...match } = meta.match;
  return {
    id,
    package: pkg,
    dir,
    meta: { ...meta, match: { ...match, kinds: expandKinds(match.kinds ?? [], excludeKinds) } },
    excludedKinds: excludeKinds,
    regoFiles,
  };
}

/** Rego that reads the pod library, directly or through the Pod Security Standards one. */
const POD_LIBRARY = /\bdata\.lib\.kubernetes\.(pods|pss)\b/;

/**
 * A policy whose Rego uses the pod library judges pod templates, so it must match every kind
 * that carries one, or exclude the ones it leaves out explicitly (match.excludeKinds): a new pod
 * kind in the table, or one forgotten in a hand-written list, must not go unchecked silently.
 */
export function checkPodKinds(
  source: Pick<PolicySource, 'dir' | 'meta' | 'excludedKinds' | 'regoFiles'>,
): string[] {
  const kinds = source.meta.match.kinds ?? [];
  if (kinds.includes('*')) return [];
  const uses = source.regoFiles.some((f) => POD_LIBRARY.test(readFileSync(f, 'utf8')));
  if (!uses) return [];
  const missing = POD_KINDS.map((k) => k.kind).filter(
    (k) => !kinds.includes(k) && !source.excludedKinds.includes(k),
  );
  if (missing.length === 0) return [];
  return [
    `${join(source.dir, 'policy.yaml')}: match.kinds leaves out ${missing.join(', ')}, which the pod library (data.lib.kubernetes.pods) covers: write kinds: [${PODS_ALIAS}], and list in match.excludeKinds the pod kinds left out on purpose`,
  ];
}
