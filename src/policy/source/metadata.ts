// The checks of one policy.yaml (docs/policy-contract.md, "Metadata"): first field by field, with
// the messages authors and tests know (kept from scripts/policy-manifest.js), then against
// policies/policy.schema.json with ajv for everything those do not cover (an unknown key, ...).
import Ajv, { type ErrorObject } from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeThrown } from '../../errors';
import { ACTIONS, READS_ALL } from '../policy-meta';
import { defaultParameters } from './parameters';
import { editDistance } from './edit-distance';
import { builtinKind, BUILTIN_KINDS, POD_KINDS, PODS_ALIAS } from './kinds';

const SEVERITIES = ['low', 'medium', 'high', 'critical'];
const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT', '*'];
const PSS_LEVELS = ['baseline', 'restricted'];

/** Where the schema lives: policies/policy.schema.json of this package (src/ or dist/src/). */
export function policySchemaFile(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'policies', 'policy.schema.json');
    if (existsSync(file)) return file;
    if (dirname(dir) === dir) {
      throw new Error(`cannot find policies/policy.schema.json above ${__dirname}`);
    }
  }
}

type Meta = Record<string, unknown>;
const isMap = (v: unknown): v is Meta => v !== null && typeof v === 'object' && !Array.isArray(v);

export function checkMetadata(meta: unknown, id: string, file: string, errors: string[]): void {
  const err = (m: string) => errors.push(`${file}: ${m}`);
  if (!isMap(meta)) {
    err('must be a YAML mapping');
    return;
  }
  if (meta.id !== id) err(`id is ${JSON.stringify(meta.id)}, must equal the folder name "${id}"`);
  for (const k of ['title', 'description']) {
    const v = meta[k];
    if (typeof v !== 'string' || v.trim() === '') err(`${k} must be a non-empty string`);
  }
  if (!SEVERITIES.includes(meta.severity as string)) {
    err(`severity must be one of ${SEVERITIES.join(', ')}`);
  }
  if (!(ACTIONS as readonly unknown[]).includes(meta.action)) {
    // YAML 1.1 (kubectl's) reads a bare `off` as false.
    const hint =
      typeof meta.action === 'boolean'
        ? ` (write 'off' in quotes: YAML 1.1 reads off as false)`
        : '';
    err(`action must be one of ${ACTIONS.join(', ')}${hint}`);
  }
  checkMatch(meta.match, err);
  checkParameters(meta, err);
  checkControls(meta.controls, err);
  if (typeof meta.docs !== 'string' || !/^https?:\/\//.test(meta.docs)) {
    err('docs must be an http(s) URL');
  }
  const reads = meta.reads;
  if (
    reads !== undefined &&
    reads !== READS_ALL &&
    !(
      Array.isArray(reads) &&
      reads.every((f) => typeof f === 'string' && f !== '' && f !== READS_ALL)
    )
  ) {
    err(`reads must be '*' or a list of top-level object field names (e.g. [metadata, spec])`);
  }
}

function checkMatch(match: unknown, err: (m: string) => void): void {
  if (!isMap(match)) {
    err('match must be a mapping with kinds and operations');
    return;
  }
  const kinds = match.kinds;
  if (
    !Array.isArray(kinds) ||
    kinds.length === 0 ||
    !kinds.every((k) => typeof k === 'string' && k)
  ) {
    err('match.kinds must be a non-empty list of kind names (e.g. [Pod, Deployment])');
  } else {
    for (const k of kinds as string[]) {
      const near = nearKind(k);
      if (near) err(`match.kinds: unknown kind ${k}; did you mean ${near}?`);
    }
    checkExcludeKinds(match.excludeKinds, kinds as string[], err);
  }
  const ops = match.operations;
  if (!Array.isArray(ops) || ops.length === 0 || !ops.every((o) => OPERATIONS.includes(o))) {
    err(`match.operations must be a non-empty list of ${OPERATIONS.join(', ')}`);
  }
}

/**
 * A built-in kind a mistyped kind name is close to: the same but for case, or two edits away
 * from a name of six letters or more. Short custom kinds (Pool, Rule) stay allowed although
 * they are near Pod and Role.
 */
function nearKind(kind: string): string | undefined {
  if (kind === '*' || kind === PODS_ALIAS || builtinKind(kind)) return undefined;
  if (kind.startsWith('$')) return PODS_ALIAS;
  const k = kind.toLowerCase();
  return BUILTIN_KINDS.find((b) => {
    const name = b.kind.toLowerCase();
    return name === k || (Math.min(name.length, k.length) >= 6 && editDistance(name, k) <= 2);
  })?.kind;
}

function checkExcludeKinds(exclude: unknown, kinds: string[], err: (m: string) => void): void {
  if (exclude === undefined) return;
  const pods = POD_KINDS.map((k) => k.kind);
  if (!Array.isArray(exclude) || !exclude.every((k) => pods.includes(k as string))) {
    err(`match.excludeKinds must be a list of pod kinds (${pods.join(', ')})`);
  } else {
    const both = (exclude as string[]).filter((k) => kinds.includes(k));
    if (both.length > 0) {
      err(`match.excludeKinds leaves out ${both.join(', ')}, which match.kinds names`);
    }
  }
}

function checkParameters(meta: Meta, err: (m: string) => void): void {
  const params = meta.parameters;
  if (!isMap(params) || params.type !== 'object' || !isMap(params.properties)) {
    err(
      'parameters must be a JSON schema with type: object and properties (properties: {} when none)',
    );
    return;
  }
  try {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(params);
    // The defaults every user of the policy gets (parameters.ts) must satisfy the schema.
    if (!validate(defaultParameters({ parameters: params }))) {
      err(`parameters: the defaults do not satisfy the schema: ${ajv.errorsText(validate.errors)}`);
    }
  } catch (thrown) {
    err(`parameters: not a valid JSON schema: ${describeThrown(thrown)}`);
  }
}

function checkControls(c: unknown, err: (m: string) => void): void {
  if (c === undefined) return;
  if (!isMap(c)) {
    err('controls must be a mapping');
    return;
  }
  const pss = c.pss as { level?: unknown; check?: unknown } | undefined;
  if (
    pss !== undefined &&
    (!PSS_LEVELS.includes(pss?.level as string) || typeof pss?.check !== 'string')
  ) {
    err(`controls.pss must be {level: ${PSS_LEVELS.join('|')}, check: <PSA check id>}`);
  }
  if (
    c.cis !== undefined &&
    (!Array.isArray(c.cis) || !c.cis.every((x) => /^\d+(\.\d+)+$/.test(String(x))))
  ) {
    err('controls.cis must be a list of CIS Kubernetes Benchmark ids as strings, e.g. ["5.2.2"]');
  }
  if (c.nsa !== undefined && typeof c.nsa !== 'string') err('controls.nsa must be a string');
}

let schemaValidator: ReturnType<Ajv['compile']> | undefined;

/** Checks metadata against policies/policy.schema.json; each ajv error becomes one line. */
export function checkSchema(meta: unknown, file: string, errors: string[]): void {
  schemaValidator ??= new Ajv({ strict: false, allErrors: true }).compile(
    JSON.parse(readFileSync(policySchemaFile(), 'utf8')),
  );
  if (schemaValidator(meta)) return;
  for (const e of schemaValidator.errors ?? []) errors.push(`${file}: ${describeSchemaError(e)}`);
}

function describeSchemaError(e: ErrorObject): string {
  const at = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'policy.yaml';
  if (e.keyword === 'additionalProperties') {
    const key = (e.params as { additionalProperty: string }).additionalProperty;
    return `${at}: unknown field ${key} (policies/policy.schema.json lists the fields)`;
  }
  return `${at} ${e.message ?? 'is invalid'} (policies/policy.schema.json)`;
}
