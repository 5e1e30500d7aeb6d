// Gives each template's Rego its own namespace, as Gatekeeper does, so a template's `lib.*`
// packages collide neither with Palisade's library (data.lib.kubernetes.*) nor with another
// template's libs of the same name: package P becomes gatekeeper.<template>.P and every
// reference data.X becomes data.gatekeeper.<template>.X — except data.inventory, the referential
// data every template shares (docs/gatekeeper.md#inventory).
//
// The edits are made where `opa parse` (the module's AST with term locations) says the package
// path and each `data` term are, never by a pattern over the text: a `data.lib` inside a string
// or a comment stays as written. Only text is inserted, within lines, so opa's line numbers in
// errors stay those of the template.
import type { RegoModule } from '../policy/build/opa';

export const SANDBOX_ROOT = 'gatekeeper';
/** The data document every template reads as it is (G2's referential data). */
const SHARED_ROOTS = new Set(['inventory']);

interface Located {
  type?: unknown;
  value?: unknown;
  location?: { row: number; col: number; text?: string };
}

/** The package prefix of a template's modules (without "data."). */
export function sandboxPrefix(template: string): string {
  return `${SANDBOX_ROOT}.${template}`;
}

/**
 * The module's text with its package and data references under `prefix`. `ast`: `opa parse
 * --format json --json-include locations,-comments` of exactly this text.
 */
export function sandboxModule(text: string, ast: RegoModule, prefix: string): string {
  const inserts: { row: number; col: number; text: string }[] = [];
  const first = (ast.package.path as Located[])[1];
  if (!first?.location) throw new Error('the package path has no location (parse with locations)');
  inserts.push({ ...first.location, text: `${prefix}.` });
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const n = node as Located;
    if (n.type === 'ref' && Array.isArray(n.value)) {
      const [head, next, ...rest] = n.value as Located[];
      if (isDataTerm(head)) {
        const shared = next?.type === 'string' && SHARED_ROOTS.has(String(next.value));
        if (!shared) inserts.push(after(head!, prefix));
        [next, ...rest].forEach(visit);
        return;
      }
    } else if (isDataTerm(n)) {
      inserts.push(after(n, prefix));
      return;
    }
    for (const [key, value] of Object.entries(n)) if (key !== 'location') visit(value);
  };
  // Everything but the package declaration, whose path was edited above.
  for (const [key, value] of Object.entries(ast)) if (key !== 'package') visit(value);
  return applyInserts(text, inserts);
}

/** A `data` term as written in the text (the package path's implicit one has other text). */
function isDataTerm(t: Located | undefined): boolean {
  return (
    t?.type === 'var' &&
    t.value === 'data' &&
    t.location !== undefined &&
    Buffer.from(t.location.text ?? '', 'base64').toString('utf8') === 'data'
  );
}

function after(t: Located, prefix: string): { row: number; col: number; text: string } {
  return { row: t.location!.row, col: t.location!.col + 'data'.length, text: `.${prefix}` };
}

/** Inserts at (row, col): opa counts both from 1, col in characters (code points). */
function applyInserts(text: string, inserts: { row: number; col: number; text: string }[]): string {
  const lines = text.split('\n');
  const byRow = new Map<number, { col: number; text: string }[]>();
  for (const i of inserts) {
    const list = byRow.get(i.row) ?? [];
    // A term the AST repeats (a rule's generated head) is edited once.
    if (!list.some((x) => x.col === i.col)) list.push(i);
    byRow.set(i.row, list);
  }
  for (const [row, list] of byRow) {
    const chars = Array.from(lines[row - 1] ?? '');
    // From the right, so each column still points where opa said.
    for (const i of [...list].sort((a, b) => b.col - a.col)) chars.splice(i.col - 1, 0, i.text);
    lines[row - 1] = chars.join('');
  }
  return lines.join('\n');
}
