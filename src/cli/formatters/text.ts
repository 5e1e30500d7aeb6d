// Human output: per object the decision, then exactly what kubectl would print for it: the
// denial message (the text after `denied the request: `) and `Warning:` lines; audit findings
// last. Ends with a one-line summary.
import { describeViolation } from '../../admission/messages';
import { painter, type Paint } from '../color';
import { atLeast, objectLabel, type ObjectResult, type Report } from '../results';

export function formatText(report: Report): string {
  const paint = painter(report.color);
  const blocks = report.results.map((r) => objectBlock(r, paint));
  return `${blocks.join('')}${summary(report, paint)}\n`;
}

function objectBlock(r: ObjectResult, paint: Paint): string {
  const where = `${r.source}:${r.line}${r.template ? ` (${r.template})` : ''}`;
  const head = `${verdict(r, paint)}  ${paint('bold', objectLabel(r))}  ${paint('dim', where)}`;
  const lines: string[] = [];
  if (r.operation !== 'CREATE') lines.push(paint('dim', `operation: ${r.operation}`));
  if (r.exemptReason) lines.push(paint('dim', `exempt: ${r.exemptReason}`));
  if (r.error) lines.push(paint('red', `error: ${r.error}`));
  if (r.message) {
    const [first, ...rest] = r.message.split('\n');
    lines.push(`denied the request: ${first}`, ...rest.map((l) => paint('red', l)));
  }
  for (const w of r.warnings) lines.push(`${paint('yellow', 'Warning:')} ${w}`);
  for (const v of r.violations.filter((v) => v.action === 'audit')) {
    lines.push(`${paint('cyan', 'Audit:')} ${describeViolation(v)}`);
  }
  return `${head}\n${lines.map((l) => `  ${l}\n`).join('')}`;
}

function verdict(r: ObjectResult, paint: Paint): string {
  if (r.outcome === 'error') return paint('red', 'ERROR  ');
  if (!r.allowed) return paint('red', 'DENIED ');
  return r.warnings.length > 0 ? paint('yellow', 'WARNED ') : paint('green', 'ALLOWED');
}

function summary(report: Report, paint: Paint): string {
  const rs = report.results;
  const count = (p: (r: ObjectResult) => boolean) => rs.filter(p).length;
  const denied = count((r) => r.outcome === 'deny');
  const errors = count((r) => r.outcome === 'error');
  const violations = rs.flatMap((r) => r.violations);
  const failing = count((r) => r.violations.some((v) => atLeast(v.action, report.failOn)));
  const by = (a: string) => violations.filter((v) => v.action === a).length;
  const parts = [
    `${rs.length} object${rs.length === 1 ? '' : 's'}: ${rs.length - denied - errors} allowed, ${denied} denied`,
  ];
  if (errors > 0) parts[0] += `, ${errors} not evaluated`;
  parts.push(
    `${violations.length} violation${violations.length === 1 ? '' : 's'} (${by('deny')} deny, ${by('warn')} warn, ${by('audit')} audit)`,
  );
  const line = `${parts.join('; ')}; ${failing} failing --fail-on ${report.failOn}`;
  return `\n${failing > 0 || errors > 0 ? paint('red', line) : paint('green', line)}`;
}
