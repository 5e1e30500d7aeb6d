// `palisade report --format html`: one self-contained page. A summary per framework at the top,
// filters by namespace, control and status, then every control with its policies, its counts
// and its failing objects (path, message, fix). Everything from the report is escaped: object
// names and policy messages are untrusted (a message quotes values from the object).
import { createHash } from 'node:crypto';
import type { ComplianceReport, ControlReport, Failure, FrameworkReport } from './report-model';
import { plural, shownTitle } from './report-model';
import { SCRIPT, STYLE } from './html-assets';

/** The value of the namespace filter that selects cluster-scoped objects. */
export const CLUSTER_SCOPED = '(cluster-scoped)';

const STATUS_TEXT: Record<ControlReport['status'], string> = {
  fail: 'failing',
  pass: 'passing',
  error: 'error',
  'no-objects': 'no objects',
  'not-covered': 'not covered',
};

export function renderHtml(report: ComplianceReport): string {
  const csp = [
    "default-src 'none'",
    `style-src '${sha256(STYLE)}'`,
    `script-src '${sha256(SCRIPT)}'`,
    "img-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Palisade compliance report</title>
<style>${STYLE}</style>
</head>
<body>
${header(report)}
<main>
${summary(report)}
${filters(report)}
${report.frameworks.map(framework).join('\n')}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

function header(r: ComplianceReport): string {
  const t = r.totals;
  const source =
    r.source.type === 'cluster'
      ? `cluster ${r.source.inputs.join(', ')}${r.source.context ? ` (context ${r.source.context})` : ''}`
      : r.source.inputs.join(', ');
  const notes = r.notes.map((n) => `<p class="notes">${esc(n)}</p>`).join('');
  return `<header>
<h1>Palisade compliance report</h1>
<p class="meta">Generated ${esc(r.generatedAt)} by Palisade ${esc(r.palisadeVersion)} from ${esc(source)}.</p>
<p class="meta" id="totals">${plural(t.objects, 'object')} read, ${t.evaluated} checked by ${r.policies.length} enabled ${r.policies.length === 1 ? 'policy' : 'policies'}, ${t.failing} failing a control, ${t.exempt} exempt, ${t.errors} not evaluated.</p>
${notes}</header>`;
}

function summary(r: ComplianceReport): string {
  const rows = r.frameworks.map((f) => {
    const s = f.summary;
    const cell = (n: number, cls: string) => `<td class="num ${cls}">${n}</td>`;
    return `<tr data-framework="${esc(f.id)}"><th scope="row">${esc(f.name)} <span class="meta">${esc(f.version)}</span></th>${cell(s.passing, 'passing')}${cell(s.failing, 'failing')}${cell(s.error, 'error')}${cell(s.noObjects, 'no-objects')}${cell(s.notCovered, 'not-covered')}${cell(s.controls, 'controls')}</tr>`;
  });
  return `<h2 id="summary-heading">Summary</h2>
<table id="summary" aria-labelledby="summary-heading">
<thead><tr><th scope="col">Framework</th><th scope="col" class="num">Passing</th><th scope="col" class="num">Failing</th><th scope="col" class="num">Errors</th><th scope="col" class="num">No objects</th><th scope="col" class="num">Not covered</th><th scope="col" class="num">Controls</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

function filters(r: ComplianceReport): string {
  const nsOptions = [
    option('', 'All namespaces'),
    ...r.namespaces.map((n) => option(n, n)),
    option(CLUSTER_SCOPED, 'Cluster-scoped objects'),
  ];
  const controlGroups = r.frameworks.map(
    (f) =>
      `<optgroup label="${esc(f.name)}">${f.controls.map((c) => option(controlKey(f, c), `${c.id}${shownTitle(c) ? ` - ${shownTitle(c)}` : ''}`)).join('')}</optgroup>`,
  );
  const statuses = (['fail', 'error', 'pass', 'no-objects', 'not-covered'] as const).map((s) =>
    option(s, STATUS_TEXT[s]),
  );
  return `<div class="filters" role="search">
<label>Namespace<select id="filter-namespace">${nsOptions.join('')}</select></label>
<label>Control<select id="filter-control">${option('', 'All controls')}${controlGroups.join('')}</select></label>
<label>Status<select id="filter-status">${option('', 'Any status')}${statuses.join('')}</select></label>
<span id="shown" aria-live="polite"></span>
</div>`;
}

function framework(f: FrameworkReport): string {
  return `<section class="framework" id="framework-${esc(f.id)}">
<h2>${esc(f.name)} <span class="meta">${esc(f.version)}</span></h2>
<p class="meta">Source: ${esc(f.source)}</p>
${f.controls.map((c) => control(f, c)).join('\n')}
</section>`;
}

function control(f: FrameworkReport, c: ControlReport): string {
  const where = [c.level, c.section, c.since && `since ${c.since}`].filter(Boolean).join(', ');
  const policies =
    c.policies.length === 0
      ? 'No enabled policy implements this control.'
      : `Policies: ${c.policies.map((p) => `<code>${esc(p.id)}</code> (${esc(p.action)})`).join(', ')}`;
  const o = c.objects;
  const counts = c.policies.length
    ? `<p class="counts">${o.pass} passing, ${o.fail} failing${o.error ? `, ${o.error} not evaluated` : ''}</p>`
    : '';
  const failures = c.failures.length
    ? `<table class="failures"><thead><tr><th scope="col">Object</th><th scope="col">Policy</th><th scope="col">Path</th><th scope="col">Message and fix</th></tr></thead><tbody>${c.failures.map(failure).join('')}</tbody></table><p class="none-shown" hidden>No failing object in this namespace.</p>`
    : '';
  const omitted = c.failuresOmitted
    ? `<p class="omitted">${plural(c.failuresOmitted, 'more failing object')} not listed (palisade report --max-failures 0 lists them all).</p>`
    : '';
  return `<div class="control" data-control="${esc(controlKey(f, c))}" data-status="${c.status}">
<h3><span class="status status-${c.status}">${STATUS_TEXT[c.status]}</span> <span class="control-id">${esc(c.id)}</span> <span class="control-title">${esc(shownTitle(c))}</span>${where ? ` <span class="meta">${esc(where)}</span>` : ''}${c.catalogued ? '' : ' <span class="notes">(not in the catalogue)</span>'}</h3>
<p class="policies">${policies}</p>
${counts}${failures}${omitted}
</div>`;
}

function failure(x: Failure): string {
  const o = x.object;
  const name = `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
  const ns = o.namespace ?? CLUSTER_SCOPED;
  const source = o.source ? `<br><span class="meta">${esc(o.source)}</span>` : '';
  const fix = x.fix ? `<br><span class="fix">Fix: ${esc(x.fix)}</span>` : '';
  return `<tr class="failure" data-namespace="${esc(ns)}"><td class="object">${esc(name)}${source}</td><td><code>${esc(x.policy)}</code> <span class="meta">${esc(x.action)}</span></td><td><code>${esc(x.path ?? '')}</code></td><td class="message">${esc(x.message)}${fix}</td></tr>`;
}

export function controlKey(f: Pick<FrameworkReport, 'id'>, c: Pick<ControlReport, 'id'>): string {
  return `${f.id}:${c.id}`;
}

function option(value: string, label: string): string {
  return `<option value="${esc(value)}">${esc(label)}</option>`;
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text and attribute values alike: the five characters HTML gives meaning to. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

function sha256(s: string): string {
  return `sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}`;
}
