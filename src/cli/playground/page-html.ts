// The playground's one HTML page: the form, the output panes, and app.js (no other asset, so
// it works offline and from any static host). The CSP allows only this origin and wasm
// compilation (WebAssembly.compile needs 'wasm-unsafe-eval'): the page cannot load anything
// from elsewhere, even by mistake.
export const CSP =
  "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'unsafe-inline'; " +
  "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'";

const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE'];

export function pageHtml(): string {
  const ops = OPERATIONS.map((o) => `<option>${o}</option>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Palisade playground</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>Palisade playground</h1>
<p>The webhook's own policy.wasm and decision code, running in this page: what kubectl would
print for these objects.</p>
<p id="static-note" class="note" hidden>This is a static copy with the built-in bundle: Rego
cannot be edited here. Run <code>palisade playground</code> to compile edited Rego with a local
opa.</p></header>
<main>
<section id="input">
<label for="manifest">Manifest (YAML, several documents)</label>
<textarea id="manifest" spellcheck="false" rows="22"></textarea>
<div class="row">
<label>Operation <select id="operation">${ops}</select></label>
<label>Namespace <input id="namespace" value="default"></label>
<label>User <input id="user" value="jane@example.com"></label>
</div>
<label for="policy">Edit a policy</label>
<select id="policy"><option value="">(none: the bundle as configured)</option></select>
<div id="policy-edit" hidden>
<div class="row"><label>Action <select id="action"></select></label></div>
<label for="parameters">Parameters (YAML; empty: the configured ones)</label>
<textarea id="parameters" spellcheck="false" rows="4"></textarea>
<label for="rego">Rego: <span id="rego-file"></span></label>
<textarea id="rego" spellcheck="false" rows="18"></textarea>
<button id="compile" type="button">Compile with opa</button>
<ul id="rego-problems" class="problems"></ul>
</div>
</section>
<section id="output">
<h2>kubectl</h2>
<pre id="command"></pre>
<pre id="kubectl"></pre>
<ul id="problems" class="problems"></ul>
<h2>Violations in the manifest</h2>
<pre id="annotated"></pre>
<details><summary>AdmissionReview sent to the webhook</summary><pre id="review"></pre></details>
</section>
</main>
<script src="app.js"></script>
</body>
</html>
`;
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f8fa}
header{padding:8px 16px;background:#24292f;color:#fff}header h1{margin:0;font-size:18px}
header p{margin:4px 0}.note{background:#fff8c5;color:#1b1f24;padding:4px 8px}
main{display:grid;grid-template-columns:1fr 1fr;gap:16px;padding:16px}
label{display:block;margin-top:8px;font-weight:600}.row{display:flex;gap:12px}
.row label{font-weight:400}
textarea,pre{width:100%;box-sizing:border-box;font:13px/1.4 ui-monospace,monospace}
pre{background:#fff;border:1px solid #d0d7de;padding:8px;white-space:pre-wrap;margin:4px 0}
#kubectl{background:#0d1117;color:#e6edf3;min-height:3em}
.line.hit{background:#ffebe9;outline:1px solid #ff8182}
.problems li{color:#cf222e}h2{font-size:15px;margin:8px 0 0}
`;
