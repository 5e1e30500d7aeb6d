// Among documents given to the CLI (palisade eval -f, a suite's files): the ConstraintTemplates,
// the constraints, and everything else. Every template or constraint Palisade cannot take is a
// problem naming it (a CEL-only template as unsupported), never skipped silently.
import { describeThrown } from '../errors';
import type { InputProblem, SourceDocument } from '../policy/source/yaml';
import { isConstraint, parseConstraint, type Constraint } from './constraint';
import { GatekeeperObjectError } from './gatekeeper-error';
import { isTemplate, parseTemplate, type Template } from './template';

export interface GatekeeperObjects {
  templates: Template[];
  constraints: Constraint[];
  /** The other documents, in order. */
  rest: SourceDocument[];
  problems: InputProblem[];
}

export function loadGatekeeperObjects(docs: readonly SourceDocument[]): GatekeeperObjects {
  const templates: Template[] = [];
  const problems: InputProblem[] = [];
  const rest: SourceDocument[] = [];
  const constraintDocs: SourceDocument[] = [];
  for (const doc of docs) {
    const at = { source: doc.source, line: doc.line };
    if (isTemplate(doc.object)) {
      try {
        templates.push(parseTemplate(doc.object, `${doc.source}:${doc.line}`));
      } catch (thrown) {
        problems.push({ ...at, message: refusal(thrown) });
      }
    } else if (isConstraint(doc.object)) {
      constraintDocs.push(doc);
    } else {
      rest.push(doc);
    }
  }
  const byKind = templatesByKind(templates, problems);
  const constraints: Constraint[] = [];
  for (const doc of constraintDocs) {
    try {
      constraints.push(parseConstraint(doc.object, byKind, `${doc.source}:${doc.line}`));
    } catch (thrown) {
      problems.push({ source: doc.source, line: doc.line, message: refusal(thrown) });
    }
  }
  return { templates, constraints, rest, problems };
}

/** Templates by their constraints' kind; two of one kind are a problem (the later is dropped). */
export function templatesByKind(
  templates: readonly Template[],
  problems: InputProblem[] = [],
): Map<string, Template> {
  const out = new Map<string, Template>();
  for (const t of templates) {
    const before = out.get(t.kind);
    if (before) {
      const [source, line] = splitSource(t.source);
      problems.push({
        source,
        line,
        message: `ConstraintTemplate ${t.name}: kind ${t.kind} is already defined at ${before.source}`,
      });
      continue;
    }
    out.set(t.kind, t);
  }
  return out;
}

/** `file:line` (a Template's or Constraint's source) as file and line. */
export function splitSource(source: string): [string, number | undefined] {
  const m = /^(.*):(\d+)$/.exec(source);
  return m ? [m[1]!, Number(m[2])] : [source, undefined];
}

function refusal(thrown: unknown): string {
  if (thrown instanceof GatekeeperObjectError) {
    const what =
      thrown.code === 'PAL_ERR_GATEKEEPER_TEMPLATE' ? 'ConstraintTemplate' : 'constraint';
    const unsupported = thrown.reason === 'cel-only' ? 'unsupported ' : '';
    return `${unsupported}${what} ${thrown.object}: ${thrown.problem}`;
  }
  return describeThrown(thrown);
}
