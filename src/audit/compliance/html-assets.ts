// The inline stylesheet and script of the HTML compliance report. The page has no other asset
// and may fetch nothing: its Content-Security-Policy allows exactly these two, by hash
// (render-html.ts), so it works offline from file:// and an injected script could not run.
// The script only shows and hides rows the server rendered; it reads no data of its own.

export const STYLE = `
:root { color-scheme: light; --fail: #b42318; --pass: #067647; --warn: #b54708; --muted: #555; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
  color: #1d2939; background: #f9fafb; }
header, main { max-width: 1200px; margin: 0 auto; padding: 16px 24px; }
header { border-bottom: 1px solid #e4e7ec; background: #fff; max-width: none; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; }
.meta { color: var(--muted); margin: 0; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #eaecf0; vertical-align: top; }
th { background: #f2f4f7; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.filters { display: flex; gap: 16px; flex-wrap: wrap; align-items: center; margin: 16px 0;
  padding: 12px; background: #fff; border: 1px solid #e4e7ec; border-radius: 6px; }
.filters label { font-weight: 600; }
.filters select { margin-left: 6px; max-width: 420px; }
.control { background: #fff; border: 1px solid #e4e7ec; border-radius: 6px; margin: 8px 0;
  padding: 8px 12px; }
.control > h3 { font-size: 15px; margin: 0; display: flex; gap: 8px; align-items: baseline;
  flex-wrap: wrap; }
.control .policies, .control .counts { color: var(--muted); margin: 4px 0; }
.status { display: inline-block; min-width: 92px; padding: 1px 8px; border-radius: 10px;
  font-size: 12px; font-weight: 700; text-transform: uppercase; text-align: center; }
.status-fail { background: #fee4e2; color: var(--fail); }
.status-pass { background: #dcfae6; color: var(--pass); }
.status-error { background: #fef0c7; color: var(--warn); }
.status-no-objects, .status-not-covered { background: #f2f4f7; color: var(--muted); }
.failures { margin-top: 6px; }
.failures td { font-size: 13px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px;
  word-break: break-all; }
.fix { color: var(--pass); }
.none-shown, .omitted { color: var(--muted); font-style: italic; margin: 6px 0; }
.notes { color: var(--warn); }
@media print { .filters { display: none; } .control { break-inside: avoid; } }
`;

export const SCRIPT = `
(function () {
  var ns = document.getElementById('filter-namespace');
  var control = document.getElementById('filter-control');
  var status = document.getElementById('filter-status');
  var shown = document.getElementById('shown');
  function apply() {
    var wantNs = ns.value, wantControl = control.value, wantStatus = status.value;
    var controls = document.querySelectorAll('.control');
    var visibleControls = 0, visibleRows = 0;
    for (var i = 0; i < controls.length; i++) {
      var c = controls[i];
      var show = (wantControl === '' || c.getAttribute('data-control') === wantControl) &&
        (wantStatus === '' || c.getAttribute('data-status') === wantStatus);
      var rows = c.querySelectorAll('tr.failure');
      var rowsShown = 0;
      for (var j = 0; j < rows.length; j++) {
        var rowShow = wantNs === '' || rows[j].getAttribute('data-namespace') === wantNs;
        rows[j].hidden = !rowShow;
        if (rowShow) rowsShown++;
      }
      var none = c.querySelector('.none-shown');
      var table = c.querySelector('table.failures');
      if (none) none.hidden = !(rows.length > 0 && rowsShown === 0);
      if (table) table.hidden = rowsShown === 0;
      c.hidden = !show;
      if (show) { visibleControls++; visibleRows += rowsShown; }
    }
    var sections = document.querySelectorAll('section.framework');
    for (var k = 0; k < sections.length; k++) {
      sections[k].hidden = sections[k].querySelectorAll('.control:not([hidden])').length === 0;
    }
    shown.textContent = visibleControls + ' control' + (visibleControls === 1 ? '' : 's') +
      ', ' + visibleRows + ' failing object' + (visibleRows === 1 ? '' : 's') + ' shown';
  }
  ns.addEventListener('change', apply);
  control.addEventListener('change', apply);
  status.addEventListener('change', apply);
  apply();
})();
`;
