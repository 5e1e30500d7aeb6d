// THE YAML reader of the toolchain: YAML 1.1, as kubectl and helm read manifests
// (sigs.k8s.io/yaml: `yes`/`on`/`off` are booleans), for manifests, examples and policy.yaml.
// parseDocuments turns the text of one input (a file or stdin) into Kubernetes objects, each with
// where it came from: the file, the line its document starts on, the helm template named by a
// `# Source:` comment, and a way to find the line of any field path inside it. Problems (invalid
// YAML, documents that are not Kubernetes objects) are returned, all of them, never skipped.
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node,
  type YAMLError,
} from 'yaml';

/** A key or list index of a field path (`spec.containers[0]` → ['spec', 'containers', 0]). */
export type PathSegment = string | number;

/** YAML 1.1, as kubectl and helm read manifests; one setting for every reader. */
export const YAML_VERSION = '1.1';

export interface SourceDocument {
  /** The file as given on the command line (or found in a directory), or `<stdin>`. */
  source: string;
  /** 1-based line where the object starts. */
  line: number;
  /** The helm template the document came from (`# Source: chart/templates/x.yaml`). */
  template?: string;
  object: Record<string, unknown>;
  /** The line of a field path inside this object: the deepest part of it that exists. */
  locate(path: readonly PathSegment[]): number;
}

export interface InputProblem {
  source: string;
  line?: number;
  column?: number;
  message: string;
}

export const STDIN = '<stdin>';

export function describeProblem(p: InputProblem): string {
  const at = p.line ? `:${p.line}${p.column ? `:${p.column}` : ''}` : '';
  return `${p.source}${at}: ${p.message}`;
}

export function parseDocuments(
  source: string,
  text: string,
): { documents: SourceDocument[]; problems: InputProblem[] } {
  const lines = new LineCounter();
  // YAML 1.1, as kubectl and helm read manifests (sigs.k8s.io/yaml): `yes`/`on` are booleans.
  const docs = parseAllDocuments(text, {
    lineCounter: lines,
    version: YAML_VERSION,
    prettyErrors: false,
  });
  const documents: SourceDocument[] = [];
  const problems: InputProblem[] = [];
  const lineOf = (offset: number) => lines.linePos(offset).line;
  let previousEnd = 0;
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    const start = doc.contents?.range[0] ?? doc.range[0];
    const template = /^#\s*Source:\s*(\S.*?)\s*$/m.exec(text.slice(previousEnd, start))?.[1];
    previousEnd = doc.range[2];
    if (doc.errors.length > 0) {
      problems.push(...syntaxProblems(doc.errors, lines, source));
      continue;
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    // Empty documents (`---` with nothing after, as helm renders disabled templates) hold no
    // object; kubectl ignores them too.
    if (value === null || value === undefined) continue;
    const at = { source, line: lineOf(start) };
    const base = { ...at, ...(template ? { template } : {}) };
    const locate = (prefix: PathSegment[]) => (path: readonly PathSegment[]) =>
      locateIn(doc, [...prefix, ...path], lineOf) ?? at.line;
    const problem = notAnObject(value);
    if (problem) {
      problems.push({ ...at, message: problem });
      continue;
    }
    const obj = value as Record<string, unknown>;
    if (isList(obj)) {
      (obj.items as unknown[]).forEach((item, i) => {
        const line = locateIn(doc, ['items', i], lineOf) ?? at.line;
        const itemProblem = notAnObject(item);
        if (itemProblem) problems.push({ source, line, message: `items[${i}]: ${itemProblem}` });
        else
          documents.push({
            ...base,
            line,
            object: item as Record<string, unknown>,
            locate: locate(['items', i]),
          });
      });
      continue;
    }
    documents.push({ ...base, object: obj, locate: locate([]) });
  }
  return { documents, problems };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function notAnObject(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'not a Kubernetes object: a document must be a mapping with apiVersion and kind';
  }
  const o = value as Record<string, unknown>;
  const missing = ['apiVersion', 'kind'].filter((k) => typeof o[k] !== 'string' || o[k] === '');
  if (missing.length > 0) {
    return `not a Kubernetes object: ${missing.join(' and ')} missing`;
  }
  return undefined;
}

/** `kind: List` (and `<Kind>List`, as `kubectl get -o yaml` prints): its items are the objects. */
function isList(o: Record<string, unknown>): boolean {
  return typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items);
}

/** The line of the deepest node along the path; a map entry counts from its key's line. */
function locateIn(
  doc: Document,
  path: readonly PathSegment[],
  lineOf: (offset: number) => number,
): number | undefined {
  let node: unknown = doc.contents;
  let line = rangeLine(node, lineOf);
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      line = rangeLine(pair.key, lineOf) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      node = node.items[seg];
      line = rangeLine(node, lineOf) ?? line;
    } else break;
  }
  return line;
}

function rangeLine(node: unknown, lineOf: (offset: number) => number): number | undefined {
  const range = (node as Node | undefined)?.range;
  return range ? lineOf(range[0]) : undefined;
}

/**
 * One YAML document that need not be a Kubernetes object (policy.yaml): its value, or the
 * problems (with line and column) that keep it from being read.
 */
export function parseYaml(
  source: string,
  text: string,
): { value: unknown; problems: InputProblem[] } {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter: lines,
    version: YAML_VERSION,
    prettyErrors: false,
  });
  const all = Array.isArray(docs) ? docs : [docs];
  const problems: InputProblem[] = [];
  for (const doc of all) problems.push(...syntaxProblems(doc.errors, lines, source));
  if (problems.length === 0 && all.length > 1) {
    problems.push({ source, message: `holds ${all.length} YAML documents, one is expected` });
  }
  if (problems.length > 0) return { value: undefined, problems };
  return { value: all[0]?.toJS({ maxAliasCount: 100 }) ?? null, problems };
}

/** A document's syntax errors as problems with their line and column. */
function syntaxProblems(
  errors: readonly YAMLError[],
  lines: LineCounter,
  source: string,
): InputProblem[] {
  return errors.map((e) => {
    const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
    return {
      source,
      line: pos.line,
      column: pos.col,
      message: `invalid YAML: ${firstLine(e.message)}`,
    };
  });
}
