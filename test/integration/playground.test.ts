// palisade playground in Debian's Chromium (playwright-core, test/support/chromium.ts): the
// built CLI serves the page; a manifest typed into it is decided in the page by the bundle's
// policy.wasm and the webhook's decision code, and what the page prints must be what kubectl
// prints for the webhook's answer to the same review, posted to the real HTTPS webhook. An edit
// of a policy's Rego is compiled by the real opa and changes the decision; a Rego error shows
// its line; the URL fragment restores the state; the exported copy works from a static server;
// the page requests nothing from elsewhere. A screenshot is kept in test-results/.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Page } from 'playwright-core';
import type { AdmissionReviewRequest } from '../../src/admission/types';
import { launchChromium, type Browser } from '../support/chromium';
import { postReview } from '../support/https-client';
import { startPalisade, type Palisade } from '../support/palisade';
import { BIN, palisade, ROOT } from './cli-run';

jest.setTimeout(180_000);

const WEBHOOK = 'validate.palisade.dev';
const MANIFEST = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: app
      image: registry.example.com/web:latest
      securityContext:
        privileged: true
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: b}
`;
/** The line of `privileged: true` above. */
const PRIVILEGED_LINE = 10;

let work: string;
let playground: { proc: ChildProcess; url: string };
let webhook: Palisade;
let browser: Browser;
let page: Page;
const requests: string[] = [];

/** Starts the built CLI's playground and resolves with its URL, from its first stdout line. */
function startPlayground(): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, [BIN, 'playground', '--port', '0'], { cwd: ROOT });
  let stderr = '';
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL in 60 s: ${stderr}`)), 60_000);
    proc.once('exit', (code) => reject(new Error(`playground exited ${code}: ${stderr}`)));
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const url = /(http:\/\/\S+)/.exec(line)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ proc, url });
      }
    });
  });
}

/** What kubectl prints for the webhook's answer to one review (create -f -). */
async function kubectlForWebhook(review: AdmissionReviewRequest): Promise<string[]> {
  const answer = (await postReview(webhook.validateUrl, webhook.ca.certPem, review)) as {
    response: { allowed: boolean; warnings?: string[]; status?: { message?: string } };
  };
  const r = answer.response;
  const lines = (r.warnings ?? []).map((w) => `Warning: ${w}`);
  const obj = review.request.object!;
  lines.push(
    r.allowed
      ? `${String(obj.kind).toLowerCase()}/${String(obj.metadata!.name)} created`
      : `Error from server (Forbidden): error when creating "STDIN": admission webhook "${WEBHOOK}" denied the request: ${r.status!.message}`,
  );
  return lines;
}

/** Runs `act` and waits until the page has shown the evaluation it caused. */
async function evaluated(p: Page, act: () => Promise<unknown>): Promise<void> {
  const before = await p.evaluate(() => document.getElementById('output')?.dataset.run ?? null);
  await act();
  await p.waitForFunction(
    (b) => {
      const run = document.getElementById('output')?.dataset.run;
      return run !== undefined && run !== b;
    },
    before,
    { timeout: 60_000 },
  );
}

const text = (p: Page, sel: string) => p.locator(sel).innerText();
/** The reviews the page evaluated (in a closed <details>: its text, not what is shown). */
const reviewsOf = async (p: Page) =>
  JSON.parse((await p.locator('#review').textContent()) ?? '') as AdmissionReviewRequest[];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'palisade-playground-'));
  [playground, webhook, browser] = await Promise.all([
    startPlayground(),
    startPalisade({ config: {} }),
    launchChromium(),
  ]);
  page = await browser.context.newPage();
  page.on('request', (r) => requests.push(r.url()));
  await evaluated(page, () => page.goto(playground.url));
});

afterAll(async () => {
  await browser?.close();
  await webhook?.stop();
  playground?.proc.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
});

describe('palisade playground in Chromium', () => {
  it('shows for a typed manifest exactly what kubectl prints for the webhook’s answer', async () => {
    await evaluated(page, () => page.fill('#manifest', MANIFEST));
    const reviews = await reviewsOf(page);
    expect(reviews.map((r) => r.request.kind.kind)).toEqual(['Pod', 'ConfigMap']);
    const expected = (await Promise.all(reviews.map(kubectlForWebhook))).flat();
    expect(expected.some((l) => l.startsWith('Error from server (Forbidden)'))).toBe(true);
    expect(expected).toContain('configmap/settings created');
    expect(await text(page, '#kubectl')).toBe(expected.join('\n'));
  });

  it('highlights the line of each violation’s path', async () => {
    const hit = page.locator(`#annotated .line.hit[data-line="${PRIVILEGED_LINE}"]`);
    await expect(hit.innerText()).resolves.toContain('privileged: true');
    await expect(hit.getAttribute('title')).resolves.toContain(
      'spec.containers[0].securityContext.privileged',
    );
  });

  it('compiles an edited policy with opa and shows the new decision', async () => {
    await evaluated(page, () => page.selectOption('#policy', 'disallow-latest-tag'));
    await evaluated(page, () => page.selectOption('#action', 'deny'));
    const rego = await page.inputValue('#rego');
    const edited = rego.replace(
      '"image tag \\"%s\\" (container',
      '"EDITED tag \\"%s\\" (container',
    );
    expect(edited).not.toBe(rego);
    await page.fill('#rego', edited);
    await evaluated(page, () => page.click('#compile'));
    await expect(page.locator('#rego-problems').getAttribute('data-compiled')).resolves.toBe('ok');
    await expect(text(page, '#kubectl')).resolves.toContain(
      '[disallow-latest-tag] spec.containers[0].image: EDITED tag "latest" (container "app"',
    );
  });

  it('restores the whole state, the edited Rego included, from the URL fragment', async () => {
    const link = page.url();
    expect(link).toContain('#s=');
    const shown = await text(page, '#kubectl');
    const other = await browser.context.newPage();
    other.on('request', (r) => requests.push(r.url()));
    await evaluated(other, () => other.goto(link));
    // The first evaluation may come before the restored Rego's compile: wait for its output.
    await other.waitForFunction(
      () => document.getElementById('kubectl')!.textContent!.includes('EDITED tag'),
      undefined,
      { timeout: 60_000 },
    );
    await expect(other.inputValue('#manifest')).resolves.toBe(MANIFEST);
    await expect(other.inputValue('#policy')).resolves.toBe('disallow-latest-tag');
    await expect(other.inputValue('#action')).resolves.toBe('deny');
    await expect(text(other, '#kubectl')).resolves.toBe(shown);
    await other.close();
  });

  it('shows a Rego error with its line and keeps the last good bundle', async () => {
    const shown = await text(page, '#kubectl');
    const broken = 'package policies.disallow_latest_tag\n\nviolation contains v if {\n\tv :=\n}\n';
    await page.fill('#rego', broken);
    await evaluated(page, () => page.click('#compile'));
    const problem = page.locator('#rego-problems li[data-line="5"]');
    await expect(problem.innerText()).resolves.toMatch(/^line 5: rego_parse_error/);
    await expect(text(page, '#kubectl')).resolves.toBe(shown);
  });

  it('keeps a screenshot in test-results/', async () => {
    const dir = join(ROOT, 'test-results');
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, 'playground.png'), fullPage: true });
    expect(existsSync(join(dir, 'playground.png'))).toBe(true);
  });

  it('exports a static copy that works from a static server, without Rego editing', async () => {
    const dir = join(work, 'site');
    const run = await palisade(['playground', '--export', dir]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const server = await serveStatic(dir);
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/index.html`;
      const copy = await browser.context.newPage();
      copy.on('request', (r) => requests.push(r.url()));
      await evaluated(copy, () => copy.goto(url));
      await expect(copy.locator('#static-note').isVisible()).resolves.toBe(true);
      await expect(copy.locator('#compile').isDisabled()).resolves.toBe(true);
      await evaluated(copy, () => copy.fill('#manifest', MANIFEST));
      const reviews = await reviewsOf(copy);
      const expected = (await Promise.all(reviews.map(kubectlForWebhook))).flat();
      expect(await text(copy, '#kubectl')).toBe(expected.join('\n'));
      await copy.close();
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('made no request outside the page’s own origin', () => {
    expect(requests.length).toBeGreaterThan(0);
    const local = requests.filter((u) => u.startsWith('http://127.0.0.1:'));
    expect(requests).toEqual(local);
  });
});

describe('palisade playground: what it refuses (exit 2, nothing served)', () => {
  it.each([
    [['--policies', 'policies', '--bundle', 'dist/bundle'], '--policies and --bundle: give one'],
    [['--port', '70000'], '--port 70000: a port number (0-65535)'],
    [['--bundle', '/nonexistent'], '/nonexistent'],
    [['extra'], 'unexpected argument extra'],
  ])('%j', async (args, message) => {
    const run = await palisade(['playground', ...args]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
  });

  it('a config naming a policy the bundle lacks', async () => {
    const config = join(work, 'bad-config.yaml');
    writeFileSync(config, 'policies:\n  no-such-policy: {action: deny}\n');
    const run = await palisade(['playground', '--config', config, '--export', join(work, 'x')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('policies.no-such-policy: no such policy in the bundle');
    expect(existsSync(join(work, 'x'))).toBe(false);
  });
});

/** A plain static file server: what any static host does with the exported directory. */
function serveStatic(dir: string): Promise<Server> {
  const types: Record<string, string> = {
    '.html': 'text/html',
    '.js': 'text/javascript',
    '.json': 'application/json',
    '.wasm': 'application/wasm',
  };
  const server = createServer((req, res) => {
    const path = join(dir, new URL(req.url!, 'http://x').pathname);
    if (!path.startsWith(dir) || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' });
    res.end(readFileSync(path));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
