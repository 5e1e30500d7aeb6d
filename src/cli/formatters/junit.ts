// JUnit XML for CI test reports: one <testsuite> per source file, one <testcase> per object. An
// object fails when it has a violation at or above --fail-on; one that could not be evaluated is
// an <error>. The failure text is what kubectl would print.
import { describeViolation } from '../../admission/messages';
import { STDIN } from '../../policy/source/yaml';
import { atLeast, objectLabel, type ObjectResult, type Report } from '../results';

export function formatJunit(report: Report): string {
  const bySource = new Map<string, ObjectResult[]>();
  for (const r of report.results) {
    const list = bySource.get(fileOf(r)) ?? [];
    list.push(r);
    bySource.set(fileOf(r), list);
  }
  const suites = [...bySource].map(([source, rs]) => suite(source, rs, report));
  const totals = counts(report.results, report);
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="palisade" tests="${report.results.length}" failures="${totals.failures}" errors="${totals.errors}">\n` +
    suites.join('') +
    '</testsuites>\n'
  );
}

function counts(rs: readonly ObjectResult[], report: Report) {
  return {
    failures: rs.filter((r) => r.outcome !== 'error' && failing(r, report).length > 0).length,
    errors: rs.filter((r) => r.outcome === 'error').length,
  };
}

function failing(r: ObjectResult, report: Report) {
  return r.violations.filter((v) => atLeast(v.action, report.failOn));
}

function suite(source: string, rs: ObjectResult[], report: Report): string {
  const c = counts(rs, report);
  const cases = rs.map((r) => testcase(r, report)).join('');
  return (
    `  <testsuite name="${attr(source)}" tests="${rs.length}" failures="${c.failures}" errors="${c.errors}" skipped="0">\n` +
    cases +
    '  </testsuite>\n'
  );
}

function testcase(r: ObjectResult, report: Report): string {
  const open = `    <testcase name="${attr(objectLabel(r))}" classname="${attr(fileOf(r))}" file="${attr(fileOf(r))}"${fileOf(r) === r.source ? ` line="${r.line}"` : ''}`;
  const body: string[] = [];
  if (r.outcome === 'error') {
    body.push(`      <error message="${attr(r.error ?? 'not evaluated')}" type="error"/>\n`);
  } else {
    const bad = failing(r, report);
    if (bad.length > 0) {
      const summary =
        r.message?.split('\n')[0] ??
        `${bad.length} violation${bad.length === 1 ? '' : 's'} at or above ${report.failOn}`;
      body.push(
        `      <failure message="${attr(summary)}" type="${bad.some((v) => v.action === 'deny') ? 'deny' : bad[0]!.action}">${text(details(r))}</failure>\n`,
      );
    }
  }
  const out = details(r);
  if (out && body.length === 0) body.push(`      <system-out>${text(out)}</system-out>\n`);
  return body.length === 0 ? `${open}/>\n` : `${open}>\n${body.join('')}    </testcase>\n`;
}

/** The file an object came from: on stdin, the helm template that rendered it when known. */
function fileOf(r: ObjectResult): string {
  return r.source === STDIN && r.template ? r.template : r.source;
}

/** What kubectl would show, then the audit findings. */
function details(r: ObjectResult): string {
  const lines: string[] = [];
  if (r.message) lines.push(`denied the request: ${r.message}`);
  for (const w of r.warnings) lines.push(`Warning: ${w}`);
  for (const v of r.violations.filter((v) => v.action === 'audit'))
    lines.push(`Audit: ${describeViolation(v)}`);
  return lines.join('\n');
}

// XML 1.0 allows only these characters; anything else (control characters) is dropped.
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

function text(s: string): string {
  return s
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
}
