// A ConstraintTemplate (templates.gatekeeper.sh v1, v1beta1, v1alpha1) as Palisade compiles it:
// its kind, the Rego of its one target admission.k8s.gatekeeper.sh (`rego` + `libs`, or the
// `code` entry of engine Rego, whose source.version may say v1), and the schema of its
// constraints' parameters. Gatekeeper's type: apis/templates/v1 in
// github.com/open-policy-agent/frameworks/constraint. docs/gatekeeper.md#templates.
import { GatekeeperObjectError } from './gatekeeper-error';

export const TEMPLATE_GROUP = 'templates.gatekeeper.sh';
export const TEMPLATE_VERSIONS = ['v1', 'v1beta1', 'v1alpha1'] as const;
export const ADMISSION_TARGET = 'admission.k8s.gatekeeper.sh';
/** Gatekeeper's engine name of CEL code (ValidatingAdmissionPolicy-style validations). */
export const CEL_ENGINE = 'K8sNativeValidation';

/** One Rego file of a template, as written. */
export interface TemplateModule {
  text: string;
  regoVersion: 0 | 1;
  /** Where it is in the template, e.g. spec.targets[0].libs[1]. */
  field: string;
}

export interface Template {
  /** metadata.name, the lowercase kind (as Gatekeeper requires). */
  name: string;
  /** spec.crd.spec.names.kind: the kind of its constraints. */
  kind: string;
  apiVersion: string;
  /** A file (file:line), or where else it came from, for messages. */
  source: string;
  generation?: number;
  rego: TemplateModule;
  libs: TemplateModule[];
  /** spec.crd.spec.validation.openAPIV3Schema: the schema of a constraint's spec.parameters. */
  parametersSchema?: Record<string, unknown>;
  object: Record<string, unknown>;
}

export function isTemplate(doc: unknown): boolean {
  const o = doc as { apiVersion?: unknown; kind?: unknown } | null;
  return (
    !!o &&
    typeof o.apiVersion === 'string' &&
    o.apiVersion.startsWith(`${TEMPLATE_GROUP}/`) &&
    o.kind === 'ConstraintTemplate'
  );
}

/** The template, or a GatekeeperObjectError naming the field (reason cel-only: only CEL code). */
export function parseTemplate(doc: unknown, source: string): Template {
  const o = record(doc) ?? {};
  const meta = record(o.metadata) ?? {};
  const name = typeof meta.name === 'string' ? meta.name : '<unnamed>';
  const fail = (problem: string, reason?: 'cel-only'): never => {
    throw new GatekeeperObjectError('PAL_ERR_GATEKEEPER_TEMPLATE', name, source, problem, reason);
  };
  const apiVersion = String(o.apiVersion);
  const version = apiVersion.slice(TEMPLATE_GROUP.length + 1);
  if (!isTemplate(o) || !(TEMPLATE_VERSIONS as readonly string[]).includes(version)) {
    fail(
      `apiVersion must be ${TEMPLATE_GROUP}/${TEMPLATE_VERSIONS.join('|')} and kind ConstraintTemplate`,
    );
  }
  if (typeof meta.name !== 'string' || meta.name === '') fail('metadata.name is required');
  const crd = record(record(o.spec)?.crd);
  const kind = record(record(crd?.spec)?.names)?.kind;
  if (typeof kind !== 'string' || !/^[A-Za-z][A-Za-z0-9]*$/.test(kind)) {
    fail('spec.crd.spec.names.kind must be a kind name (letters and digits)');
  }
  // Gatekeeper refuses a template whose name is not its kind in lowercase; the name then is a
  // valid Rego package segment, which the compile relies on (compile.ts).
  if (name !== (kind as string).toLowerCase()) {
    fail(
      `metadata.name must be the lowercase of spec.crd.spec.names.kind (${(kind as string).toLowerCase()})`,
    );
  }
  const schema = record(record(crd?.spec)?.validation)?.openAPIV3Schema;
  if (schema !== undefined && record(schema) === undefined) {
    fail('spec.crd.spec.validation.openAPIV3Schema must be an object');
  }
  const { rego, libs } = regoOf(record(o.spec)?.targets, fail);
  const generation = meta.generation;
  return {
    name,
    kind: kind as string,
    apiVersion,
    source,
    ...(typeof generation === 'number' ? { generation } : {}),
    rego,
    libs,
    ...(schema !== undefined ? { parametersSchema: schema as Record<string, unknown> } : {}),
    object: o,
  };
}

/** The Rego of the one admission target: code[engine=Rego] when present, else rego + libs. */
function regoOf(
  targets: unknown,
  fail: (problem: string, reason?: 'cel-only') => never,
): { rego: TemplateModule; libs: TemplateModule[] } {
  if (!Array.isArray(targets) || targets.length !== 1) {
    return fail(`spec.targets must hold exactly one target (${ADMISSION_TARGET})`);
  }
  const t = record(targets[0]) ?? {};
  const at = 'spec.targets[0]';
  if (t.target !== ADMISSION_TARGET) return fail(`${at}.target must be ${ADMISSION_TARGET}`);
  const code = t.code === undefined ? [] : t.code;
  if (!Array.isArray(code)) return fail(`${at}.code must be a list`);
  const index = code.findIndex((c) => record(c)?.engine === 'Rego');
  if (index >= 0) {
    const src = record(record(code[index])?.source) ?? {};
    const field = `${at}.code[${index}].source`;
    const v = src.version ?? 'v0';
    if (v !== 'v0' && v !== 'v1') return fail(`${field}.version must be v0 or v1`);
    return modules(src.rego, src.libs, field, v === 'v1' ? 1 : 0, fail);
  }
  if (t.rego !== undefined) return modules(t.rego, t.libs, at, 0, fail);
  const engines = code.map((c) => String(record(c)?.engine));
  if (engines.includes(CEL_ENGINE)) {
    return fail(
      `only CEL code (engine ${CEL_ENGINE}) and no Rego: Palisade runs Rego templates only`,
      'cel-only',
    );
  }
  return fail(`${at} has no rego and no code entry of engine Rego`);
}

function modules(
  rego: unknown,
  libs: unknown,
  field: string,
  regoVersion: 0 | 1,
  fail: (problem: string) => never,
): { rego: TemplateModule; libs: TemplateModule[] } {
  if (typeof rego !== 'string' || rego.trim() === '')
    return fail(`${field}.rego must be Rego text`);
  if (libs !== undefined && !(Array.isArray(libs) && libs.every((l) => typeof l === 'string'))) {
    return fail(`${field}.libs must be a list of Rego texts`);
  }
  return {
    rego: { text: rego, regoVersion, field: `${field}.rego` },
    libs: ((libs as string[] | undefined) ?? []).map((text, i) => ({
      text,
      regoVersion,
      field: `${field}.libs[${i}]`,
    })),
  };
}

export function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}
