// The playground page: wires the form to runManifests and shows what kubectl would print, the
// violations' lines in the manifest, and the reviews sent. Everything is written with
// textContent (a manifest or a message is never markup). Bundled by esbuild into app.js
// (npm run build:playground); served by server.ts or written by export-static.ts.
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import type { Operation } from '../../../admission/types';
import type { Config } from '../../../config/schema';
import { ACTIONS, type Action } from '../../../policy/policy-meta';
import type { PolicySnapshot } from '../../../policy/snapshot';
import { YAML_VERSION } from '../../../policy/source/yaml';
import { pageSnapshot, type BundleBytes, type PolicyOverride } from './page-snapshot';
import { BUNDLE_FILES, type CompileReply, type PlaygroundData, type PolicyView } from './protocol';
import { kubectlCommand } from './kubectl-text';
import { runManifests, type PlaygroundRun } from './run-manifests';
import { decodeState, encodeState, type PlaygroundState } from './state-fragment';

const SAMPLE = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: app
      image: registry.example.com/web:1.4.2
      securityContext:
        privileged: true
`;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const field = (id: string) => $<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>(id);

let data: PlaygroundData;
let builtIn: BundleBytes;
/** The bundle in force: the built-in one, or the last successful compile of edited Rego. */
let current: { files: BundleBytes; rego?: string };
let cached: { key: string; files: BundleBytes; snapshot: Promise<PolicySnapshot> } | undefined;
let runs = 0;

async function main(): Promise<void> {
  data = (await (await fetch('playground.json')).json()) as PlaygroundData;
  builtIn = await fetchBundle();
  current = { files: builtIn };
  fillPolicies(data.policies);
  if (data.static) {
    $('static-note').hidden = false;
    $<HTMLTextAreaElement>('rego').readOnly = true;
    $<HTMLButtonElement>('compile').disabled = true;
  }
  const restored = await decodeState(location.hash);
  applyState(restored ?? { ...emptyState(), manifest: SAMPLE });
  for (const id of ['manifest', 'operation', 'namespace', 'user', 'action', 'parameters']) {
    field(id).addEventListener('input', () => void evaluate());
  }
  field('policy').addEventListener('change', () => {
    showPolicy(field('policy').value);
    void evaluate();
  });
  $('compile').addEventListener('click', () => void compile());
  if (restored?.rego && !data.static) await compile();
  else await evaluate();
}

function emptyState(): PlaygroundState {
  return {
    manifest: '',
    operation: 'CREATE',
    namespace: 'default',
    user: 'jane@example.com',
    policy: '',
    action: '',
    parameters: '',
    rego: '',
  };
}

function applyState(s: PlaygroundState): void {
  field('manifest').value = s.manifest;
  field('operation').value = s.operation || 'CREATE';
  field('namespace').value = s.namespace;
  field('user').value = s.user;
  field('policy').value = data.policies.some((p) => p.id === s.policy) ? s.policy : '';
  showPolicy(field('policy').value);
  if (s.action) field('action').value = s.action;
  if (s.parameters) field('parameters').value = s.parameters;
  if (s.rego) field('rego').value = s.rego;
}

function currentState(): PlaygroundState {
  const policy = field('policy').value;
  const source = regoFile(policy);
  const rego = field('rego').value;
  return {
    manifest: field('manifest').value,
    operation: field('operation').value,
    namespace: field('namespace').value,
    user: field('user').value,
    policy,
    action: policy ? field('action').value : '',
    parameters: policy ? field('parameters').value : '',
    // Only an edit travels in the link: the sources are the page's own.
    rego: policy && source && rego !== source.text ? rego : '',
  };
}

function fillPolicies(policies: readonly PolicyView[]): void {
  const select = field('policy');
  for (const p of policies) select.append(new Option(`${p.id} — ${p.title}`, p.id));
  const action = field('action');
  for (const a of ACTIONS) action.append(new Option(a, a));
}

/** The policy's Rego file the editor shows: policy.rego, else its first. */
function regoFile(id: string): { name: string; text: string } | undefined {
  const rego = data.policies.find((p) => p.id === id)?.rego ?? {};
  const name = 'policy.rego' in rego ? 'policy.rego' : Object.keys(rego)[0];
  return name === undefined ? undefined : { name, text: rego[name]! };
}

function showPolicy(id: string): void {
  $('policy-edit').hidden = id === '';
  if (!id) return;
  const view = data.policies.find((p) => p.id === id)!;
  const own = (data.config as Config).policies[id];
  field('action').value = own?.action ?? view.action;
  field('parameters').value = own?.parameters ? toYaml(own.parameters) : '';
  const file = regoFile(id);
  $('rego-file').textContent = file ? file.name : '(no Rego source)';
  field('rego').value = file?.text ?? '';
  $('rego-problems').replaceChildren();
}

/** The override of the policy being edited, or a problem with its parameters. */
function override(): PolicyOverride | string | undefined {
  const id = field('policy').value;
  if (!id) return undefined;
  const text = field('parameters').value;
  let parameters: Record<string, unknown> | undefined;
  if (text.trim()) {
    let value: unknown;
    try {
      value = parseYaml(text, { version: YAML_VERSION });
    } catch (thrown) {
      return `parameters: ${(thrown as Error).message.split('\n')[0]}`;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return 'parameters: must be a mapping (name: value)';
    }
    parameters = value as Record<string, unknown>;
  }
  return { id, action: field('action').value as Action, ...(parameters ? { parameters } : {}) };
}

function snapshotFor(o: PolicyOverride | undefined): Promise<PolicySnapshot> {
  const key = JSON.stringify(o ?? null);
  if (cached && cached.key === key && cached.files === current.files) return cached.snapshot;
  void cached?.snapshot.then((s) => s.evaluator.close()).catch(() => undefined);
  const snapshot = pageSnapshot('bundle', current.files, data.config, o);
  cached = { key, files: current.files, snapshot };
  return snapshot;
}

async function evaluate(): Promise<void> {
  const run = ++runs;
  const o = override();
  $('command').textContent = `$ ${kubectlCommand(field('operation').value)}`;
  let result: PlaygroundRun | string;
  if (typeof o === 'string') result = o;
  else {
    try {
      const snapshot = await snapshotFor(o);
      result = await runManifests(
        field('manifest').value,
        {
          operation: field('operation').value as Operation,
          namespace: field('namespace').value.trim(),
          username: field('user').value.trim() || 'jane@example.com',
          groups: [],
        },
        snapshot,
        data.webhook,
      );
    } catch (thrown) {
      result = (thrown as Error).message;
    }
  }
  if (run !== runs) return; // a later edit's run shows instead
  show(result);
  history.replaceState(null, '', await encodeState(currentState()));
  $('output').dataset.run = String(run);
}

function show(result: PlaygroundRun | string): void {
  const problems =
    typeof result === 'string'
      ? [result]
      : result.problems.map((p) => `${p.line ? `line ${p.line}: ` : ''}${p.message}`);
  $('problems').replaceChildren(...problems.map((p) => item(p)));
  $('kubectl').textContent = typeof result === 'string' ? '' : result.kubectl.join('\n');
  $('review').textContent =
    typeof result === 'string' ? '' : JSON.stringify(result.reviews, null, 2);
  const hits = new Map<number, string[]>();
  if (typeof result !== 'string') {
    for (const r of result.results) {
      for (const v of r.violations) {
        hits.set(v.line, [...(hits.get(v.line) ?? []), `[${v.policy}] ${v.path}: ${v.msg}`]);
      }
    }
  }
  const lines = field('manifest').value.split('\n');
  $('annotated').replaceChildren(
    ...lines.map((text, i) => {
      const line = document.createElement('span');
      line.className = hits.has(i + 1) ? 'line hit' : 'line';
      line.dataset.line = String(i + 1);
      if (hits.has(i + 1)) line.title = hits.get(i + 1)!.join('\n');
      line.textContent = `${text}\n`;
      return line;
    }),
  );
}

async function compile(): Promise<void> {
  const policy = field('policy').value;
  const file = regoFile(policy);
  if (!policy || !file) return;
  const list = $('rego-problems');
  list.replaceChildren(item('compiling with opa…'));
  let reply: CompileReply;
  try {
    const res = await fetch('compile', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ policy, file: file.name, rego: field('rego').value }),
    });
    reply = (await res.json()) as CompileReply;
  } catch (thrown) {
    reply = { ok: false, problems: [{ message: `compile request failed: ${String(thrown)}` }] };
  }
  if (reply.ok) {
    current = {
      files: {
        wasm: fromBase64(reply.wasm),
        ...(reply.data ? { data: fromBase64(reply.data) } : {}),
        manifest: fromBase64(reply.manifest),
      },
      rego: field('rego').value,
    };
    list.replaceChildren();
  } else {
    list.replaceChildren(
      ...reply.problems.map((p) => {
        const li = item(p.line ? `line ${p.line}: ${p.message}` : p.message);
        if (p.line) li.dataset.line = String(p.line);
        return li;
      }),
    );
  }
  $('rego-problems').dataset.compiled = reply.ok ? 'ok' : 'failed';
  await evaluate();
}

function item(text: string): HTMLLIElement {
  const li = document.createElement('li');
  li.textContent = text;
  return li;
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

async function fetchBundle(): Promise<BundleBytes> {
  const get = async (path: string, optional = false) => {
    const res = await fetch(path);
    if (!res.ok) {
      if (optional) return undefined;
      throw new Error(`${path}: HTTP ${res.status}`);
    }
    return new Uint8Array(await res.arrayBuffer());
  };
  const [wasm, dataJson, manifest] = await Promise.all([
    get(BUNDLE_FILES.wasm),
    get(BUNDLE_FILES.data, true),
    get(BUNDLE_FILES.manifest),
  ]);
  return { wasm: wasm!, ...(dataJson ? { data: dataJson } : {}), manifest: manifest! };
}

main().catch((thrown: unknown) => {
  $('problems').replaceChildren(item(`the playground could not start: ${String(thrown)}`));
  $('output').dataset.run = 'failed';
});
