// A constraint (constraints.gatekeeper.sh, kind = its template's kind): one instance of a
// template, with its parameters (checked against the template's openAPIV3Schema), its
// spec.match and its enforcementAction. docs/gatekeeper.md#constraints.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { ConstraintMatch } from '../policy/constraint-match';
import type { Action } from '../policy/policy-meta';
import { describeThrown } from '../errors';
import { GatekeeperObjectError } from './gatekeeper-error';
import { MATCH_SCHEMA } from './match-schema';
import { record, type Template } from './template';

export const CONSTRAINT_GROUP = 'constraints.gatekeeper.sh';
export const CONSTRAINT_VERSIONS = ['v1beta1', 'v1alpha1', 'v1'] as const;
export const ENFORCEMENT_ACTIONS = ['deny', 'dryrun', 'warn', 'scoped'] as const;
export type EnforcementAction = (typeof ENFORCEMENT_ACTIONS)[number];
/** The enforcement point of an admission webhook (scopedEnforcementActions). */
export const WEBHOOK_POINT = 'validation.gatekeeper.sh';
export const AUDIT_POINT = 'audit.gatekeeper.sh';

export interface ScopedAction {
  action: 'deny' | 'dryrun' | 'warn';
  enforcementPoints: string[];
}

export interface Constraint {
  /** The policy id: `Kind/name` (docs/gatekeeper.md#ids). */
  id: string;
  name: string;
  kind: string;
  /** Its template's name. */
  template: string;
  source: string;
  generation?: number;
  enforcementAction: EnforcementAction;
  scopedEnforcementActions: ScopedAction[];
  /** What the webhook does with a violation (scoped resolved for validation.gatekeeper.sh). */
  action: Exclude<Action, 'off'> | 'off';
  parameters: Record<string, unknown>;
  match: ConstraintMatch;
  object: Record<string, unknown>;
}

/** Kind/name: no built-in policy id has a `/`, and two kinds never share one. */
export function constraintId(kind: string, name: string): string {
  return `${kind}/${name}`;
}

export function isConstraint(doc: unknown): boolean {
  const o = record(doc);
  return typeof o?.apiVersion === 'string' && o.apiVersion.startsWith(`${CONSTRAINT_GROUP}/`);
}

/**
 * The constraint, checked against its template (`templates` by kind); a GatekeeperObjectError
 * naming the constraint and the field otherwise (each parameters error with its path).
 */
export function parseConstraint(
  doc: unknown,
  templates: ReadonlyMap<string, Template>,
  source: string,
): Constraint {
  const o = record(doc) ?? {};
  const meta = record(o.metadata) ?? {};
  const kind = typeof o.kind === 'string' ? o.kind : '<no kind>';
  const name = typeof meta.name === 'string' ? meta.name : '<unnamed>';
  const fail = (problem: string): never => {
    throw new GatekeeperObjectError(
      'PAL_ERR_GATEKEEPER_CONSTRAINT',
      constraintId(kind, name),
      source,
      problem,
    );
  };
  const version = String(o.apiVersion).slice(CONSTRAINT_GROUP.length + 1);
  if (!isConstraint(o) || !(CONSTRAINT_VERSIONS as readonly string[]).includes(version)) {
    fail(`apiVersion must be ${CONSTRAINT_GROUP}/${CONSTRAINT_VERSIONS.join('|')}`);
  }
  if (typeof meta.name !== 'string' || meta.name === '') fail('metadata.name is required');
  const template = templates.get(kind);
  if (!template) {
    const known = [...templates.keys()].sort().join(', ') || 'none';
    fail(`no ConstraintTemplate defines kind ${kind} (templates given: ${known})`);
  }
  const spec = o.spec === undefined ? {} : (record(o.spec) ?? fail('spec must be an object'));
  const parameters =
    spec.parameters === undefined
      ? {}
      : (record(spec.parameters) ?? fail('spec.parameters must be an object'));
  const paramProblems = parameterProblems(template!, parameters);
  if (paramProblems.length > 0) fail(paramProblems.join('; '));
  const match = spec.match === undefined ? {} : (spec.match as ConstraintMatch);
  const matchProblems = schemaProblems(matchValidator(), match, 'spec.match');
  if (matchProblems.length > 0) fail(matchProblems.join('; '));
  const { enforcementAction, scoped, action } = actionOf(spec, fail);
  const generation = meta.generation;
  return {
    id: constraintId(kind, name),
    name,
    kind,
    template: template!.name,
    source,
    ...(typeof generation === 'number' ? { generation } : {}),
    enforcementAction,
    scopedEnforcementActions: scoped,
    action,
    parameters,
    match,
    object: o,
  };
}

/** The webhook's action: deny, warn, dryrun → audit; scoped: the strongest for the webhook. */
function actionOf(
  spec: Record<string, unknown>,
  fail: (problem: string) => never,
): { enforcementAction: EnforcementAction; scoped: ScopedAction[]; action: Constraint['action'] } {
  const given = spec.enforcementAction ?? 'deny';
  if (!(ENFORCEMENT_ACTIONS as readonly unknown[]).includes(given)) {
    fail(
      `spec.enforcementAction must be one of ${ENFORCEMENT_ACTIONS.join(', ')} (got ${JSON.stringify(given)})`,
    );
  }
  const enforcementAction = given as EnforcementAction;
  if (enforcementAction !== 'scoped') {
    return { enforcementAction, scoped: [], action: PALISADE_ACTION[enforcementAction] };
  }
  const list = spec.scopedEnforcementActions;
  const at = 'spec.scopedEnforcementActions';
  if (!Array.isArray(list) || list.length === 0)
    fail(`${at} must list actions when enforcementAction is scoped`);
  const scoped = (list as unknown[]).map((entry, i): ScopedAction => {
    const e = record(entry) ?? {};
    if (!['deny', 'dryrun', 'warn'].includes(e.action as string)) {
      fail(`${at}[${i}].action must be deny, dryrun or warn`);
    }
    const points = Array.isArray(e.enforcementPoints) ? e.enforcementPoints : [];
    const names = points.map((p) => record(p)?.name);
    if (names.length === 0 || !names.every((n) => typeof n === 'string')) {
      fail(`${at}[${i}].enforcementPoints must list {name: ...} entries`);
    }
    return { action: e.action as ScopedAction['action'], enforcementPoints: names as string[] };
  });
  const forWebhook = scoped
    .filter((s) => s.enforcementPoints.some((p) => p === WEBHOOK_POINT || p === '*'))
    .map((s) => PALISADE_ACTION[s.action]);
  const strongest = (['deny', 'warn', 'audit'] as const).find((a) => forWebhook.includes(a));
  // No action for the webhook: the violations are only recorded (the background audit's).
  return { enforcementAction, scoped, action: strongest ?? 'audit' };
}

const PALISADE_ACTION = { deny: 'deny', warn: 'warn', dryrun: 'audit' } as const;

// One compiled validator per template version: templates are objects nothing changes.
const validators = new WeakMap<Template, ValidateFunction | Error>();

function parameterProblems(template: Template, parameters: Record<string, unknown>): string[] {
  if (!template.parametersSchema) return [];
  let validate = validators.get(template);
  if (!validate) {
    try {
      validate = newAjv().compile(template.parametersSchema);
    } catch (thrown) {
      validate = new Error(describeThrown(thrown));
    }
    validators.set(template, validate);
  }
  if (validate instanceof Error) {
    return [
      `its ConstraintTemplate ${template.name}'s openAPIV3Schema is not a valid schema: ${validate.message}`,
    ];
  }
  return schemaProblems(validate, parameters, 'spec.parameters');
}

let match: ValidateFunction | undefined;
function matchValidator(): ValidateFunction {
  match ??= newAjv().compile(MATCH_SCHEMA);
  return match;
}

/** OpenAPI v3 schemas carry keywords JSON Schema lacks (x-kubernetes-*, formats like int32). */
function newAjv(): Ajv {
  return new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false });
}

function schemaProblems(validate: ValidateFunction, value: unknown, root: string): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => describeError(e, root));
}

function describeError(e: ErrorObject, root: string): string {
  const at = root + e.instancePath.replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.');
  if (e.keyword === 'additionalProperties') {
    return `${at}: unknown field ${(e.params as { additionalProperty: string }).additionalProperty}`;
  }
  return `${at} ${e.message ?? 'is invalid'}`;
}
