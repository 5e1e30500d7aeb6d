// Derives which top-level fields of input.review.object / input.review.oldObject a policy can
// read, for scripts/policy-manifest.js (palisade.json `reads`). The webhook leaves every other
// field out of the evaluation input, so a 1 MiB Secret's data never enters the wasm unless an
// applicable policy reads it (docs/policy-contract.md#what-a-policy-reads).
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
'use strict';
const { execFileSync } = require('node:child_process');

/** Everything: the policy's reads could not be bounded. */
const ALL = '*';
const NONE = null;

const TYPE_CHECKS = new Set([
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
const OBJECT_PATH = [['review'], ['object', 'oldObject']];

/**
 * The sorted top-level object fields the policy package's violation can read, or '*'.
 * `files` are every non-test .rego file of the bundle (policies and library).
 */
function policyReads(opa, files, pkg) {
  const args = files.flatMap((f) => ['-d', f]);
  const deps = JSON.parse(
    execFileSync(opa, ['deps', '--format', 'json', ...args, `data.${pkg}.violation`], {
      encoding: 'utf8',
    }),
  );
  const rules = (deps.virtual ?? []).map(refText);
  // A rule `a.b.c contains ...` shows in deps as data.<pkg>.a.b.c: match on the first segment.
  const depends = (name) => rules.some((r) => r === name || r.startsWith(`${name}.`));
  const fields = new Set();
  for (const file of files) {
    const ast = parse(opa, file);
    const pkgPath = refText(ast.package.path).replace(/^data\./, '');
    const used = (ast.rules ?? []).filter((r) => depends(`data.${pkgPath}.${ruleName(r)}`));
    if (used.length === 0) continue;
    const found = [...(ast.imports ?? []).map((i) => i.path), ...used].flatMap(reads);
    if (found.includes(ALL)) return ALL;
    for (const f of found) fields.add(f);
  }
  return [...fields].sort();
}

const parsed = new Map();
function parse(opa, file) {
  if (!parsed.has(file)) {
    const text = execFileSync(opa, ['parse', '--format', 'json', file], { encoding: 'utf8' });
    parsed.set(file, JSON.parse(text));
  }
  return parsed.get(file);
}

function ruleName(rule) {
  return rule.head.ref?.[0]?.value ?? rule.head.name;
}

/** "data.a.b" for a ref of a var and constant strings (what opa deps lists). */
function refText(ref) {
  const terms = Array.isArray(ref) ? ref : ref.value;
  return terms.map((t) => t.value).join('.');
}

/** Every object field (or ALL) that the AST node reads through input. */
function reads(node) {
  const out = [];
  walk(node, out);
  return out;
}

function walk(node, out) {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, out);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  if (node.type === 'ref' && isInput(node)) {
    push(out, classify(node.value.slice(1), false));
    walk(node.value.slice(1), out); // keys may themselves read input
  } else if (node.type === 'call') {
    call(node.value, out);
  } else if (Array.isArray(node.terms)) {
    call(node.terms, out);
    walk(node.with, out);
  } else {
    for (const v of Object.values(node)) walk(v, out);
  }
}

/** A call [operator, ...args]: the two forms that read less than their reference, else a walk. */
function call(terms, out) {
  const [op, ...args] = terms;
  const name = op.type === 'ref' ? refText(op) : '';
  const [base, key, ...rest] = args;
  if (TYPE_CHECKS.has(name) && args.length === 1 && isInput(base)) {
    push(out, classify(base.value.slice(1), true));
    walk(base.value.slice(1), out);
  } else if (name === 'object.get' && isInput(base) && constantPath(key)) {
    push(out, classify([...base.value.slice(1), ...constantPath(key)], false));
    walk(base.value.slice(1), out);
    walk(rest, out);
  } else {
    walk(args, out);
  }
}

function push(out, read) {
  if (read !== NONE) out.push(read);
}

function isInput(term) {
  return term?.type === 'ref' && term.value[0].type === 'var' && term.value[0].value === 'input';
}

/** object.get's key as a list of string terms when it is constant, else undefined. */
function constantPath(term) {
  if (term?.type === 'string') return [term];
  if (term?.type === 'array' && term.value.every((t) => t.type === 'string')) return term.value;
  return undefined;
}

/**
 * What a reference input.<path> reads: NONE (not the object), a field name, or ALL. With
 * typeOnly (the argument of a type check) the object itself or anything above it reads nothing.
 */
function classify(path, typeOnly) {
  for (let i = 0; i < OBJECT_PATH.length; i++) {
    if (i >= path.length) return typeOnly ? NONE : ALL;
    const t = path[i];
    if (t.type === 'string' && !OBJECT_PATH[i].includes(t.value)) return NONE;
  }
  if (path.length === OBJECT_PATH.length) return typeOnly ? NONE : ALL;
  const field = path[OBJECT_PATH.length];
  return field.type === 'string' ? field.value : ALL;
}

module.exports = { policyReads, ALL };
