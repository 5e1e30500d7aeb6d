#!/usr/bin/env node
// Reads the policy folders under a policies directory (policies/<id>/: policy.rego, policy.yaml,
// examples/) for scripts/build-policies.sh and scripts/opa-test.sh. See docs/policy-contract.md.
//
//   node scripts/policy-manifest.js validate POLICIES_DIR
//       Checks every policy folder; prints one "<id> <package>" line per policy; exits 1 listing
//       every problem found.
//   node scripts/policy-manifest.js manifest POLICIES_DIR OUT_FILE --opa-version V --wasm FILE
//       [--opa OPA]
//       Writes palisade.json: {policies: [<policy.yaml as JSON> + package + reads], builtAt,
//       opaVersion, entrypoint, wasmSha256}. builtAt honours SOURCE_DATE_EPOCH. reads: the
//       top-level object fields each policy can read, as policy.yaml declares or, with --opa,
//       as scripts/policy-reads.js derives them; '*' (everything) otherwise.
//   node scripts/policy-manifest.js examples-test POLICIES_DIR OUT_FILE
//       Writes a Rego test module with one test per example manifest (examples/allowed/*.yaml
//       must give no violation, examples/denied/*.yaml exactly the violations in the sibling
//       *.expected.json), run by `opa test` together with the policies.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const YAML = require('yaml');
const Ajv = require('ajv');
const { policyReads, ALL } = require('./policy-reads');

const ID_RE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const SEVERITIES = ['low', 'medium', 'high', 'critical'];
const ACTIONS = ['deny', 'warn', 'audit', 'off'];
const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT', '*'];
const PSS_LEVELS = ['baseline', 'restricted'];
const SKIP_DIRS = new Set(['lib']); // shared Rego library, not a policy

const packageFor = (id) => `policies.${id.replace(/-/g, '_')}`;

function fail(errors) {
  for (const e of errors) console.error(`policy-manifest: ${e}`);
  process.exit(1);
}

// The package a Rego file declares (first `package` statement), or null.
function regoPackage(text) {
  const m = /^[ \t]*package[ \t]+([^\s#]+)/m.exec(text);
  return m ? m[1] : null;
}

function listFiles(dir, pred, skip = () => false) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!skip(e.name)) out.push(...listFiles(p, pred, skip));
    } else if (pred(e.name)) out.push(p);
  }
  return out.sort();
}

function policyDirs(root) {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    fail([`${root}: not a directory`]);
  }
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !SKIP_DIRS.has(e.name) && !/^[._]/.test(e.name))
    .map((e) => e.name)
    .sort();
}

function checkMetadata(meta, id, file, errors) {
  const err = (m) => errors.push(`${file}: ${m}`);
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) {
    err('must be a YAML mapping');
    return;
  }
  if (meta.id !== id) err(`id is ${JSON.stringify(meta.id)}, must equal the folder name "${id}"`);
  for (const k of ['title', 'description']) {
    if (typeof meta[k] !== 'string' || meta[k].trim() === '')
      err(`${k} must be a non-empty string`);
  }
  if (!SEVERITIES.includes(meta.severity)) err(`severity must be one of ${SEVERITIES.join(', ')}`);
  if (!ACTIONS.includes(meta.action)) err(`action must be one of ${ACTIONS.join(', ')}`);

  const match = meta.match;
  if (!match || typeof match !== 'object') {
    err('match must be a mapping with kinds and operations');
  } else {
    if (
      !Array.isArray(match.kinds) ||
      match.kinds.length === 0 ||
      !match.kinds.every((k) => typeof k === 'string' && k)
    ) {
      err('match.kinds must be a non-empty list of kind names (e.g. [Pod, Deployment])');
    }
    if (
      !Array.isArray(match.operations) ||
      match.operations.length === 0 ||
      !match.operations.every((o) => OPERATIONS.includes(o))
    ) {
      err(`match.operations must be a non-empty list of ${OPERATIONS.join(', ')}`);
    }
  }

  const params = meta.parameters;
  if (
    !params ||
    typeof params !== 'object' ||
    params.type !== 'object' ||
    typeof params.properties !== 'object'
  ) {
    err(
      'parameters must be a JSON schema with type: object and properties (properties: {} when none)',
    );
  } else {
    try {
      const ajv = new Ajv({ useDefaults: true, strict: false, allErrors: true });
      const validate = ajv.compile(params);
      const defaults = {};
      if (!validate(defaults)) {
        err(
          `parameters: the defaults do not satisfy the schema: ${ajv.errorsText(validate.errors)}`,
        );
      }
    } catch (e) {
      err(`parameters: not a valid JSON schema: ${e.message}`);
    }
  }

  if (meta.controls !== undefined) {
    const c = meta.controls;
    if (c === null || typeof c !== 'object') err('controls must be a mapping');
    else {
      if (
        c.pss !== undefined &&
        (!PSS_LEVELS.includes(c.pss?.level) || typeof c.pss?.check !== 'string')
      ) {
        err(`controls.pss must be {level: ${PSS_LEVELS.join('|')}, check: <PSA check id>}`);
      }
      if (
        c.cis !== undefined &&
        (!Array.isArray(c.cis) || !c.cis.every((x) => /^\d+(\.\d+)+$/.test(String(x))))
      ) {
        err(
          'controls.cis must be a list of CIS Kubernetes Benchmark ids as strings, e.g. ["5.2.2"]',
        );
      }
      if (c.nsa !== undefined && typeof c.nsa !== 'string') err('controls.nsa must be a string');
    }
  }
  if (typeof meta.docs !== 'string' || !/^https?:\/\//.test(meta.docs))
    err('docs must be an http(s) URL');
  const reads = meta.reads;
  if (
    reads !== undefined &&
    reads !== ALL &&
    !(Array.isArray(reads) && reads.every((f) => typeof f === 'string' && f !== '' && f !== ALL))
  ) {
    err(`reads must be '*' or a list of top-level object field names (e.g. [metadata, spec])`);
  }
}

function checkExamples(dir, id, errors) {
  const ex = path.join(dir, 'examples');
  if (!fs.existsSync(ex)) return;
  for (const e of fs.readdirSync(ex)) {
    if (e !== 'allowed' && e !== 'denied')
      errors.push(`${path.join(ex, e)}: examples/ holds only allowed/ and denied/`);
  }
  for (const kind of ['allowed', 'denied']) {
    const d = path.join(ex, kind);
    if (!fs.existsSync(d)) continue;
    for (const f of fs.readdirSync(d)) {
      const p = path.join(d, f);
      if (/\.ya?ml$/.test(f)) {
        const expected = p.replace(/\.ya?ml$/, '.expected.json');
        if (kind === 'denied' && !fs.existsSync(expected)) {
          errors.push(
            `${p}: a denied example needs ${path.basename(expected)} listing its violations`,
          );
        }
      } else if (f.endsWith('.expected.json')) {
        const base = p.slice(0, -'.expected.json'.length);
        if (!fs.existsSync(`${base}.yaml`) && !fs.existsSync(`${base}.yml`)) {
          errors.push(`${p}: no ${path.basename(base)}.yaml beside it`);
        }
      } else {
        errors.push(`${p}: examples hold only <name>.yaml and <name>.expected.json`);
      }
    }
  }
  void id;
}

// Validates every policy folder; returns [{id, package, dir, meta}].
function load(root) {
  const errors = [];
  const policies = [];
  for (const id of policyDirs(root)) {
    const dir = path.join(root, id);
    if (!ID_RE.test(id)) {
      errors.push(
        `${dir}: folder name "${id}" is not a valid policy id (lowercase letters, digits, single dashes)`,
      );
      continue;
    }
    const rego = path.join(dir, 'policy.rego');
    const yml = path.join(dir, 'policy.yaml');
    if (!fs.existsSync(rego)) errors.push(`${dir}: missing policy.rego`);
    if (!fs.existsSync(yml)) errors.push(`${dir}: missing policy.yaml`);
    if (!fs.existsSync(rego) || !fs.existsSync(yml)) continue;

    const pkg = packageFor(id);
    const sources = listFiles(
      dir,
      (f) => f.endsWith('.rego') && !f.endsWith('_test.rego'),
      (d) => d === 'examples',
    );
    let hasViolation = false;
    for (const f of sources) {
      const text = fs.readFileSync(f, 'utf8');
      const got = regoPackage(text);
      if (got !== pkg && !(got || '').startsWith(`${pkg}.`)) {
        errors.push(`${f}: package is ${got ?? '(none)'}, must be ${pkg} (policy id "${id}")`);
      }
      if (got === pkg && /^[ \t]*violation[ \t]+contains\b/m.test(text)) hasViolation = true;
    }
    if (!hasViolation)
      errors.push(`${dir}: no "violation contains ... if { ... }" rule in package ${pkg}`);

    let meta;
    try {
      meta = YAML.parse(fs.readFileSync(yml, 'utf8'));
    } catch (e) {
      errors.push(`${yml}: invalid YAML: ${e.message}`);
      continue;
    }
    checkMetadata(meta, id, yml, errors);
    checkExamples(dir, id, errors);
    policies.push({ id, package: pkg, dir, meta });
  }
  if (policies.length === 0 && errors.length === 0) errors.push(`${root}: no policy folders found`);
  if (errors.length) fail(errors);
  return policies;
}

function flags(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--')) fail([`unexpected argument ${argv[i]}`]);
    out[argv[i].slice(2)] = argv[i + 1];
  }
  return out;
}

function cmdValidate(root) {
  for (const p of load(root)) console.log(`${p.id} ${p.package}`);
}

function cmdManifest(root, outFile, opts) {
  const policies = load(root);
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const builtAt = (epoch ? new Date(Number(epoch) * 1000) : new Date()).toISOString();
  const reads = objectReads(root, policies, opts.opa);
  const manifest = {
    policies: policies.map((p) => ({ ...p.meta, package: p.package, reads: reads.get(p.id) })),
    builtAt,
    opaVersion: opts['opa-version'] || 'unknown',
    entrypoint: 'palisade/violations',
  };
  if (opts.wasm) {
    manifest.wasmSha256 = crypto
      .createHash('sha256')
      .update(fs.readFileSync(opts.wasm))
      .digest('hex');
  }
  fs.writeFileSync(outFile, JSON.stringify(manifest, null, 2) + '\n');
}

// Each policy's reads: its policy.yaml declaration, else derived from the Rego (with an opa), else
// everything. A declaration may widen what is derived (an alias the analysis cannot follow), never
// narrow it: leaving out a field the Rego reads would change its decisions.
function objectReads(root, policies, opa) {
  const files = opa
    ? listFiles(
        root,
        (f) => f.endsWith('.rego') && !f.endsWith('_test.rego'),
        (d) => d === 'examples',
      )
    : [];
  const out = new Map();
  const errors = [];
  for (const p of policies) {
    const derived = opa ? policyReads(opa, files, p.package) : ALL;
    const declared = p.meta.reads;
    if (Array.isArray(declared) && Array.isArray(derived)) {
      const missing = derived.filter((f) => !declared.includes(f));
      if (missing.length > 0) {
        errors.push(
          `${path.join(p.dir, 'policy.yaml')}: reads leaves out ${missing.join(', ')}, which policy.rego reads`,
        );
      }
    }
    out.set(p.id, Array.isArray(declared) ? [...declared].sort() : (declared ?? derived));
  }
  if (errors.length) fail(errors);
  return out;
}

// Default parameters of a policy: each property's `default` from its schema.
function defaultParameters(meta) {
  const params = {};
  const ajv = new Ajv({ useDefaults: true, strict: false });
  ajv.compile(meta.parameters)(params);
  return params;
}

// Rego term for a JSON value (JSON is valid Rego).
const rego = (v) => JSON.stringify(v);

function cmdExamplesTest(root, outFile) {
  const policies = load(root);
  const tests = [];
  const errors = [];
  const seen = new Set();
  for (const p of policies) {
    for (const kind of ['allowed', 'denied']) {
      const d = path.join(p.dir, 'examples', kind);
      if (!fs.existsSync(d)) continue;
      for (const f of fs
        .readdirSync(d)
        .filter((x) => /\.ya?ml$/.test(x))
        .sort()) {
        const file = path.join(d, f);
        const docs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'));
        if (docs.length !== 1 || docs[0].errors.length) {
          errors.push(`${file}: must hold exactly one valid YAML document`);
          continue;
        }
        const obj = docs[0].toJS();
        if (!obj || typeof obj.kind !== 'string' || typeof obj.apiVersion !== 'string') {
          errors.push(`${file}: not a Kubernetes object (apiVersion and kind required)`);
          continue;
        }
        const expFile = file.replace(/\.ya?ml$/, '.expected.json');
        let exp = { violations: [] };
        if (fs.existsSync(expFile)) {
          try {
            exp = JSON.parse(fs.readFileSync(expFile, 'utf8'));
          } catch (e) {
            errors.push(`${expFile}: invalid JSON: ${e.message}`);
            continue;
          }
        }
        const violations = exp.violations;
        if (
          !Array.isArray(violations) ||
          !violations.every((v) => v && typeof v.msg === 'string' && typeof v.path === 'string')
        ) {
          errors.push(
            `${expFile}: "violations" must be a list of {"msg": string, "path": string, ...}`,
          );
          continue;
        }
        if (kind === 'allowed' && violations.length)
          errors.push(`${expFile}: an allowed example expects no violations`);
        if (kind === 'denied' && !violations.length)
          errors.push(`${expFile}: a denied example expects at least one violation`);

        const [group, version] = obj.apiVersion.includes('/')
          ? obj.apiVersion.split('/')
          : ['', obj.apiVersion];
        const review = {
          uid: '00000000-0000-0000-0000-000000000000',
          kind: { group, version, kind: obj.kind },
          name: obj.metadata?.name ?? '',
          namespace: obj.metadata?.namespace ?? 'default',
          operation: exp.operation ?? 'CREATE',
          userInfo: { username: 'palisade-example' },
          object: obj,
          oldObject: null,
          dryRun: false,
        };
        const parameters = exp.parameters ?? defaultParameters(p.meta);
        const keys = [...new Set(['msg', 'path', ...violations.flatMap((v) => Object.keys(v))])];
        let name = `test_example_${p.id}_${kind}_${f.replace(/\.ya?ml$/, '')}`.replace(
          /[^A-Za-z0-9_]/g,
          '_',
        );
        while (seen.has(name)) name += '_';
        seen.add(name);
        const rel = path.relative(process.cwd(), file);
        tests.push(
          `# ${rel}\n` +
            `${name} if {\n` +
            `\tvs := data.${p.package}.violation with input as {"review": ${rego(review)}, "parameters": ${rego(parameters)}}\n` +
            `\tgot := {object.filter(v, ${rego(keys)}) | some v in vs}\n` +
            `\twant := {v | some v in ${rego(violations)}}\n` +
            `\tprint(${rego(`${rel}: got`)}, got)\n` +
            `\tprint(${rego(`${rel}: want`)}, want)\n` +
            `\tgot == want\n` +
            `}\n`,
        );
      }
    }
  }
  if (errors.length) fail(errors);
  const header =
    '# Generated by scripts/policy-manifest.js examples-test; do not edit.\npackage palisade_examples_test\n\n';
  fs.writeFileSync(outFile, header + tests.join('\n'));
  console.error(`policy-manifest: ${tests.length} example tests`);
}

const [cmd, root, outFile, ...rest] = process.argv.slice(2);
switch (cmd) {
  case 'validate':
    if (!root) fail(['usage: validate POLICIES_DIR']);
    cmdValidate(root);
    break;
  case 'manifest':
    if (!root || !outFile)
      fail(['usage: manifest POLICIES_DIR OUT_FILE [--opa-version V] [--wasm FILE]']);
    cmdManifest(root, outFile, flags(rest));
    break;
  case 'examples-test':
    if (!root || !outFile) fail(['usage: examples-test POLICIES_DIR OUT_FILE']);
    cmdExamplesTest(root, outFile);
    break;
  default:
    fail(['usage: policy-manifest.js validate|manifest|examples-test POLICIES_DIR ...']);
}
