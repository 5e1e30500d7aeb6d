// The HTML compliance report as a person sees it: `palisade report --format html` on manifests,
// opened from file:// in Debian's Chromium (playwright-core). What the page shows is checked
// against the JSON report of the same run; filters are used as a person would use them; the page
// must fetch nothing and run none of the markup hidden in object names and messages. A
// screenshot is kept in test-results/ (git-ignored) for a human to look at.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import type { ComplianceReport } from '../../src/audit/compliance/report-model';
import { launchChromium, type Browser } from '../support/chromium';
import { palisade, ROOT } from './cli-run';

jest.setTimeout(120_000);

const XSS_CONTAINER = '<img src=x onerror="window.__xss=1">';
const XSS_POD = 'evil<script>window.__xss=2</script>';

const MANIFESTS = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: team-a}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  containers:
    - name: app
      image: registry.example.com/web:1.4.2
      securityContext: {privileged: true}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: team-a}
spec:
  hostNetwork: true
  containers:
    - name: api
      image: registry.example.com/api:2.0.0
---
apiVersion: v1
kind: Pod
metadata: {name: '${XSS_POD}', namespace: team-a}
spec:
  containers:
    - name: '${XSS_CONTAINER}'
      image: registry.example.com/evil:1.0.0
      securityContext: {privileged: true}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: everyone-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
  - {kind: ServiceAccount, name: deployer, namespace: ci}
`;

let work: string;
let report: ComplianceReport;
let htmlFile: string;
let browser: Browser;
let page: Page;
const requests: string[] = [];
const dialogs: string[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'palisade-report-'));
  writeFileSync(join(work, 'cluster.yaml'), MANIFESTS);
  htmlFile = join(work, 'report.html');
  const jsonFile = join(work, 'report.json');
  const run = await palisade([
    'report',
    '-f',
    join(work, 'cluster.yaml'),
    '--format',
    `html=${htmlFile}`,
    '--format',
    `json=${jsonFile}`,
  ]);
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 1, stderr: '' });
  report = JSON.parse(readFileSync(jsonFile, 'utf8')) as ComplianceReport;
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(pathToFileURL(htmlFile).href);
});

afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

const control = (id: string) => page.locator(`.control[data-control="${id}"]`);
const failureRows = (id: string) => control(id).locator('tr.failure');
/** The controls a person sees (laid out, not hidden), in page order. */
const visibleControls = () =>
  page
    .locator('.control')
    .evaluateAll((els) =>
      els
        .filter((e) => (e as HTMLElement).offsetParent !== null)
        .map((e) => e.getAttribute('data-control')),
    );
const framework = (id: string) => report.frameworks.find((f) => f.id === id)!;
const failuresIn = (id: string) => {
  const [fw, ...rest] = id.split(':');
  return framework(fw!).controls.find((c) => c.id === rest.join(':'))!.failures;
};

describe('the HTML compliance report in Chromium', () => {
  beforeEach(async () => {
    for (const f of ['#filter-namespace', '#filter-control', '#filter-status']) {
      await page.selectOption(f, '');
    }
  });

  it('shows per framework the passing, failing and not covered counts at the top', async () => {
    for (const f of report.frameworks) {
      const row = page.locator(`#summary tr[data-framework="${f.id}"]`);
      await expect(row.locator('th').innerText()).resolves.toContain(f.name);
      const cells = await row.locator('td').allInnerTexts();
      const s = f.summary;
      expect(cells.map(Number)).toEqual([
        s.passing,
        s.failing,
        s.error,
        s.noObjects,
        s.notCovered,
        s.controls,
      ]);
    }
    // The library does not cover every CIS recommendation (e.g. 5.3.2, network policies).
    expect(framework('cis').summary.notCovered).toBeGreaterThan(0);
    await expect(control('cis:5.3.2').locator('.status').innerText()).resolves.toMatch(
      /not covered/i,
    );
  });

  it('lists a failing object with its path, message and fix', async () => {
    const expected = failuresIn('pss:privileged').find((f) => f.object.name === 'web')!;
    const row = failureRows('pss:privileged').filter({ hasText: 'Pod shop/web' });
    await expect(row.isVisible()).resolves.toBe(true);
    const text = await row.innerText();
    expect(text).toContain(expected.path!);
    expect(text).toContain(expected.message);
    expect(text).toContain(`Fix: ${expected.fix!}`);
    await expect(control('pss:privileged').locator('.status').innerText()).resolves.toMatch(
      /failing/i,
    );
  });

  it('shows markup from object names and messages as text, and runs none of it', async () => {
    const row = failureRows('pss:privileged').filter({ hasText: XSS_POD });
    await expect(row.innerText()).resolves.toContain(XSS_CONTAINER);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBe(
      undefined,
    );
    await expect(page.locator('img').count()).resolves.toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('filters by namespace: the other namespaces’ failing objects are hidden', async () => {
    await page.selectOption('#filter-namespace', 'team-a');
    const rows = page.locator('tr.failure');
    const all = await rows.count();
    const visible = await rows.evaluateAll((els) =>
      els.filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => e.textContent ?? ''),
    );
    const expected = report.frameworks
      .flatMap((f) => f.controls.flatMap((c) => c.failures))
      .filter((x) => x.object.namespace === 'team-a');
    expect(visible).toHaveLength(expected.length);
    expect(visible.length).toBeLessThan(all);
    expect(visible.every((t) => t.includes('team-a/'))).toBe(true);
    await expect(
      failureRows('pss:privileged').filter({ hasText: 'Pod shop/web' }).isVisible(),
    ).resolves.toBe(false);
    await expect(control('pss:privileged').locator('.none-shown').isVisible()).resolves.toBe(false);
    // A control failing only in another namespace says so.
    await page.selectOption('#filter-namespace', '(cluster-scoped)');
    await expect(control('pss:privileged').locator('.none-shown').isVisible()).resolves.toBe(true);
    await expect(
      failureRows('cis:5.1.1').filter({ hasText: 'ClusterRoleBinding everyone-admin' }).isVisible(),
    ).resolves.toBe(true);
  });

  it('filters by control: only that control is shown', async () => {
    await page.selectOption('#filter-control', 'pss:hostNamespaces');
    const shown = await visibleControls();
    expect(shown).toEqual(['pss:hostNamespaces']);
    const expected = failuresIn('pss:hostNamespaces');
    expect(expected.map((f) => f.object.name)).toEqual(['api']);
    await expect(failureRows('pss:hostNamespaces').innerText()).resolves.toContain(
      expected[0]!.message,
    );
    await expect(page.locator('#shown').innerText()).resolves.toBe(
      '1 control, 1 failing object shown',
    );
  });

  it('filters by status: only the controls no enabled policy covers', async () => {
    await page.selectOption('#filter-status', 'not-covered');
    const shown = await visibleControls();
    const expected = report.frameworks.flatMap((f) =>
      f.controls.filter((c) => c.status === 'not-covered').map((c) => `${f.id}:${c.id}`),
    );
    expect(shown).toEqual(expected);
    // A framework with nothing to show is hidden whole (here: every PSS check is covered).
    expect(framework('pss').summary.notCovered).toBe(0);
    await expect(page.locator('#framework-pss').isVisible()).resolves.toBe(false);
  });

  it('fetched nothing but the page itself, and a screenshot is kept', async () => {
    expect(requests).toEqual([pathToFileURL(htmlFile).href]);
    const dir = join(ROOT, 'test-results');
    mkdirSync(dir, { recursive: true });
    const shot = await page.screenshot({
      path: join(dir, 'compliance-report.png'),
      fullPage: false,
    });
    expect(shot.subarray(1, 4).toString()).toBe('PNG');
  });
});
