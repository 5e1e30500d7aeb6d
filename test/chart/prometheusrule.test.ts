// The chart's PrometheusRule, checked and tested by the real promtool: `promtool check rules` on
// the rendered groups, and `promtool test rules` with series that fire and series that do not
// fire each alert (test/fixtures/prometheus/alert-tests.yaml).
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { promtool } from '../support/prometheus';
import { ROOT, find, kinds, render } from './render';

const FIXTURE = join(ROOT, 'test/fixtures/prometheus/alert-tests.yaml');
const ALERTS = [
  'PalisadeErrors',
  'PalisadeLatencyNearTimeout',
  'PalisadeCertificateExpiresSoon',
  'PalisadeReloadsFailing',
  'PalisadeBundleStale',
  'PalisadeNoReadyReplica',
];

interface Rule {
  alert: string;
  expr: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
}
interface Case {
  alert_rule_test: {
    alertname: string;
    exp_alerts: { exp_labels: object; exp_annotations?: object }[];
  }[];
}

const rule = find(render({ set: { 'prometheusRule.enabled': true } }), 'PrometheusRule');
const rules: Rule[] = rule.spec.groups.flatMap((g: { rules: Rule[] }) => g.rules);
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-rules-'));
  writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: rule.spec.groups }));
  // promtool compares annotations exactly: each expected alert gets its rule's (static) ones.
  const tests = parse(readFileSync(FIXTURE, 'utf8')) as { tests: Case[] };
  for (const t of tests.tests)
    for (const c of t.alert_rule_test)
      for (const a of c.exp_alerts)
        a.exp_annotations = rules.find((r) => r.alert === c.alertname)?.annotations;
  writeFileSync(join(dir, 'alert-tests.yaml'), stringify(tests));
  copyFileSync(FIXTURE, join(dir, 'alert-tests.fixture.yaml'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('off by default', () => {
  expect(kinds(render())).not.toContain('PrometheusRule');
});

it('has the six alerts, each naming its runbook section in docs/metrics.md', () => {
  expect(rules.map((r) => r.alert)).toEqual(ALERTS);
  const doc = readFileSync(join(ROOT, 'docs/metrics.md'), 'utf8');
  // GitHub's anchors of the "### PalisadeErrors" headings.
  const anchors = [...doc.matchAll(/^#+ (.+)$/gm)].map((m) =>
    m[1]!
      .trim()
      .toLowerCase()
      .replace(/[^\w\- ]/g, '')
      .replace(/ /g, '-'),
  );
  for (const r of rules) {
    expect(r.annotations.runbook_url).toBe(`docs/metrics.md#${r.alert.toLowerCase()}`);
    expect(anchors).toContain(r.alert.toLowerCase());
    expect(['warning', 'critical']).toContain(r.labels.severity);
  }
});

it('the webhook timeout and thresholds come from the values', () => {
  const r = find(
    render({
      set: {
        'prometheusRule.enabled': true,
        'webhook.timeoutSeconds': 10,
        'prometheusRule.latencyTimeoutRatio': 0.5,
        'prometheusRule.selector': 'namespace="ops",service="pal"',
      },
    }),
    'PrometheusRule',
  );
  const byName = new Map<string, Rule>(
    r.spec.groups[0].rules.map((x: Rule) => [x.alert, x] as [string, Rule]),
  );
  expect(byName.get('PalisadeLatencyNearTimeout')!.expr).toMatch(/\)\)\)\s*> 5\s*$/);
  expect(byName.get('PalisadeErrors')!.expr).toContain(
    'palisade_errors_total{namespace="ops",service="pal"}',
  );
});

it('promtool check rules accepts the rendered groups', async () => {
  const run = await promtool(['check', 'rules', join(dir, 'rules.yaml')]);
  expect(run.stderr + run.stdout).toContain('SUCCESS: 6 rules found');
  expect(run.code).toBe(0);
});

it('promtool test rules: each alert fires on its series and not on the others', async () => {
  const tests = parse(readFileSync(FIXTURE, 'utf8')) as { tests: Case[] };
  const cases = tests.tests.flatMap((t) => t.alert_rule_test);
  // Every alert has a case where it fires and one where it does not.
  for (const alert of ALERTS) {
    const mine = cases.filter((c) => c.alertname === alert);
    expect(mine.some((c) => c.exp_alerts.length > 0)).toBe(true);
    expect(mine.some((c) => c.exp_alerts.length === 0)).toBe(true);
  }
  const run = await promtool(['test', 'rules', join(dir, 'alert-tests.yaml')]);
  expect(run.stdout + run.stderr).toContain('SUCCESS');
  expect(run.code).toBe(0);
});

it('a wrong expectation fails promtool test rules (the test can fail)', async () => {
  const tests = parse(readFileSync(join(dir, 'alert-tests.yaml'), 'utf8')) as { tests: Case[] };
  // The not-firing certificate case, expected to fire: promtool must say it did not.
  const notFiring = tests.tests
    .flatMap((t) => t.alert_rule_test)
    .find((c) => c.alertname === 'PalisadeCertificateExpiresSoon' && c.exp_alerts.length === 0)!;
  notFiring.exp_alerts = [{ exp_labels: { severity: 'warning', job: 'palisade' } }];
  writeFileSync(join(dir, 'wrong.yaml'), stringify(tests));
  const run = await promtool(['test', 'rules', join(dir, 'wrong.yaml')]);
  expect(run.code).not.toBe(0);
  expect(run.stdout + run.stderr).toContain('PalisadeCertificateExpiresSoon');
});
