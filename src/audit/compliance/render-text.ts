// `palisade report` for a terminal: per framework its summary line, then each control with its
// status, counts and policies, and under a failing control its failing objects (path, message,
// fix). Not-covered controls are listed by id on one line per framework, so they stay visible
// without drowning the failures.
import type { ComplianceReport, ControlReport, Failure, FrameworkReport } from './report-model';
import { plural, shownTitle } from './report-model';

/** How a caller colours text (src/cli/color.ts's painter); identity for plain text. */
export type Paint = (style: 'red' | 'green' | 'yellow' | 'dim' | 'bold', text: string) => string;

const plain: Paint = (_style, text) => text;

export function renderText(report: ComplianceReport, paint: Paint = plain): string {
  const t = report.totals;
  const out = [
    paint(
      'bold',
      `Compliance report: ${plural(t.objects, 'object')}, ${t.evaluated} checked by ${enabledPolicies(report.policies.length)}`,
    ) + paint('dim', ` (${t.exempt} exempt, ${t.errors} not evaluated)`),
  ];
  for (const note of report.notes) out.push(paint('yellow', `note: ${note}`));
  for (const f of report.frameworks) out.push('', ...framework(f, paint));
  out.push('', totalsLine(report, paint));
  return `${out.join('\n')}\n`;
}

const enabledPolicies = (n: number) => `${n} enabled ${n === 1 ? 'policy' : 'policies'}`;

function framework(f: FrameworkReport, paint: Paint): string[] {
  const s = f.summary;
  const lines = [
    `${paint('bold', `${f.name} ${f.version}`)}: ${s.passing} passing, ${s.failing} failing, ` +
      `${s.error} error, ${s.noObjects} no objects, ${s.notCovered} not covered (of ${s.controls})`,
  ];
  for (const c of f.controls.filter((x) => x.status !== 'not-covered')) {
    lines.push(...control(c, paint));
  }
  const uncovered = f.controls.filter((x) => x.status === 'not-covered').map((x) => x.id);
  if (uncovered.length > 0) lines.push(paint('dim', `  not covered: ${uncovered.join(', ')}`));
  return lines;
}

const LABEL: Record<ControlReport['status'], [string, 'red' | 'green' | 'yellow' | 'dim']> = {
  fail: ['FAIL ', 'red'],
  error: ['ERROR', 'yellow'],
  pass: ['PASS ', 'green'],
  'no-objects': ['NONE ', 'dim'],
  'not-covered': ['     ', 'dim'],
};

function control(c: ControlReport, paint: Paint): string[] {
  const [label, style] = LABEL[c.status];
  const title = shownTitle(c) ? ` ${shownTitle(c)}` : '';
  const o = c.objects;
  const counts = `${o.pass} pass, ${o.fail} fail${o.error ? `, ${o.error} error` : ''}`;
  const policies = c.policies.map((p) => `${p.id} (${p.action})`).join(', ');
  return [
    `  ${paint(style, label)} ${paint('bold', c.id)}${title}  ${paint('dim', `${counts}; ${policies}`)}`,
    ...c.failures.flatMap((x) => failure(x, paint)),
    ...(c.failuresOmitted
      ? [
          paint(
            'dim',
            `      … ${plural(c.failuresOmitted, 'more failing object')} (--max-failures 0 lists all)`,
          ),
        ]
      : []),
  ];
}

function failure(x: Failure, paint: Paint): string[] {
  const o = x.object;
  const name = clean(`${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`);
  const where = o.source ? paint('dim', `  ${clean(o.source)}`) : '';
  const lines = [
    `      ${name}${where}`,
    `        ${x.policy}: ${x.path ? `${clean(x.path)}: ` : ''}${clean(x.message)}`,
  ];
  if (x.fix) lines.push(`        fix: ${clean(x.fix)}`);
  return lines;
}

function totalsLine(r: ComplianceReport, paint: Paint): string {
  const failing = r.frameworks.reduce((n, f) => n + f.summary.failing, 0);
  const line = `${failing} failing control${failing === 1 ? '' : 's'}; ${r.totals.failing} failing object${r.totals.failing === 1 ? '' : 's'}`;
  return failing > 0 ? paint('red', line) : paint('green', line);
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Object names and messages are untrusted: a control character (an ANSI escape, a carriage
 * return) is shown as its \\u escape instead of reaching the terminal.
 */
function clean(s: string): string {
  return s.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
