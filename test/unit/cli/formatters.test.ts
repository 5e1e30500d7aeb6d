import { FORMATTERS, parseFormatSpecs } from '../../../src/cli/formatters';
import { SARIF_SCHEMA } from '../../../src/cli/formatters/sarif';
import { clean, denied, report, warned } from './report-fixture';

describe('json', () => {
  it('has exactly the documented shape', () => {
    const out = JSON.parse(FORMATTERS.json(report()));
    expect(Object.keys(out)).toEqual(['results']);
    expect(out.results[0]).toEqual({
      source: 'k8s/pod.yaml',
      kind: 'Pod',
      namespace: 'shop',
      name: 'web',
      allowed: false,
      violations: [
        {
          policy: 'disallow-privileged',
          action: 'deny',
          msg: denied.violations[0]!.msg,
          path: 'spec.containers[0].securityContext.privileged',
        },
        {
          policy: 'require-resource-limits',
          action: 'warn',
          msg: denied.violations[1]!.msg,
          path: 'spec.containers[0].resources.limits',
        },
        {
          policy: 'require-labels',
          action: 'audit',
          msg: denied.violations[2]!.msg,
          path: 'metadata.labels',
        },
      ],
    });
    expect(out.results[2]).toEqual({
      source: 'k8s/ns.yaml',
      kind: 'Namespace',
      namespace: null,
      name: 'shop',
      allowed: true,
      violations: [],
    });
  });
});

describe('text', () => {
  it('prints the decision and what kubectl would show, without colour', () => {
    const out = FORMATTERS.text(report());
    expect(out).not.toContain('\u001b[');
    expect(out).toContain(
      `DENIED   Pod shop/web  k8s/pod.yaml:1\n  denied the request: ${denied.message!.split('\n')[0]}\n  ${denied.message!.split('\n')[1]}\n`,
    );
    expect(out).toContain(`  Warning: ${warned.warnings[0]}\n`);
    expect(out).toContain(
      '  Audit: [require-labels] metadata.labels: require-labels <bad> & "quoted". Fix: do it.\n',
    );
    expect(out).toContain('ALLOWED  Namespace shop  k8s/ns.yaml:1\n');
    expect(out.trimEnd().split('\n').at(-1)).toBe(
      '3 objects: 2 allowed, 1 denied; 4 violations (1 deny, 2 warn, 1 audit); 1 failing --fail-on deny',
    );
  });

  it('colours only when told to', () => {
    expect(FORMATTERS.text(report({ color: true }))).toContain('\u001b[31mDENIED');
  });

  it('counts failures at or above --fail-on', () => {
    expect(FORMATTERS.text(report({ failOn: 'warn' }))).toContain('2 failing --fail-on warn');
  });
});

describe('junit', () => {
  const xml = FORMATTERS.junit(report({ failOn: 'warn' }));

  it('has one testcase per object, grouped by file, failing at or above --fail-on', () => {
    expect(
      xml.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="palisade" tests="3" failures="2" errors="0">',
      ),
    ).toBe(true);
    expect(xml.match(/<testcase /g)).toHaveLength(3);
    expect(xml).toContain(
      '<testsuite name="k8s/pod.yaml" tests="2" failures="2" errors="0" skipped="0">',
    );
    expect(xml).toContain(
      '<testsuite name="k8s/ns.yaml" tests="1" failures="0" errors="0" skipped="0">',
    );
    expect(xml).toContain(
      '<testcase name="Namespace shop" classname="k8s/ns.yaml" file="k8s/ns.yaml" line="1"/>',
    );
    expect(xml).toContain(
      '<failure message="1 violation of 1 policy:" type="deny">denied the request: 1 violation',
    );
  });

  it('escapes markup in messages', () => {
    expect(xml).toContain('disallow-privileged &lt;bad&gt; &amp; "quoted"');
    expect(xml).not.toContain('<bad>');
  });

  it('keeps warnings below --fail-on in system-out, not as failures', () => {
    const deny = FORMATTERS.junit(report({ failOn: 'deny', results: [warned] }));
    expect(deny).toContain('failures="0"');
    expect(deny).toContain('<system-out>Warning: ');
  });
});

describe('sarif', () => {
  const log = JSON.parse(FORMATTERS.sarif(report()));
  const run = log.runs[0];

  it('has the fields code scanning requires', () => {
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toBe(SARIF_SCHEMA);
    expect(log.runs).toHaveLength(1);
    expect(run.tool.driver.name).toBe('palisade');
    expect(run.tool.driver.semanticVersion).toBe('0.1.0');
    for (const r of run.results) {
      expect(typeof r.ruleId).toBe('string');
      expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
      expect(['error', 'warning', 'note']).toContain(r.level);
      expect(r.message.text.length).toBeGreaterThan(0);
      const loc = r.locations[0].physicalLocation;
      expect(loc.artifactLocation.uri).toMatch(/^k8s\/(pod|ns)\.yaml$/);
      expect(Number.isInteger(loc.region.startLine) && loc.region.startLine >= 1).toBe(true);
    }
  });

  it('has one rule per policy from its metadata, with a security severity', () => {
    const ids = run.tool.driver.rules.map((r: { id: string }) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(run.tool.driver.rules[0]).toMatchObject({
      id: 'disallow-privileged',
      name: 'DisallowPrivileged',
      shortDescription: { text: 'Title of disallow-privileged' },
      fullDescription: { text: 'What disallow-privileged checks.' },
      helpUri: 'https://example.com/disallow-privileged',
      defaultConfiguration: { level: 'error' },
      properties: {
        'security-severity': '9.5',
        tags: ['security', 'kubernetes', 'pss-baseline', 'cis-5.2.2'],
      },
    });
  });

  it('locates each violation at the line of its field path', () => {
    expect(
      run.results.map(
        (r: {
          ruleId: string;
          level: string;
          locations: { physicalLocation: { region: { startLine: number } } }[];
        }) => [r.ruleId, r.level, r.locations[0]!.physicalLocation.region.startLine],
      ),
    ).toEqual([
      ['disallow-privileged', 'error', 9],
      ['require-resource-limits', 'warning', 7],
      ['require-labels', 'note', 3],
      ['require-resource-limits', 'warning', 31],
    ]);
  });

  it('gives helm output on stdin the template as its file, without a line', () => {
    const stdin = {
      ...clean,
      source: '<stdin>',
      template: 'web/templates/pod.yaml',
      violations: denied.violations,
    };
    const r = JSON.parse(FORMATTERS.sarif(report({ results: [stdin] }))).runs[0].results[0];
    expect(r.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'web/templates/pod.yaml' },
    });
  });
});

describe('parseFormatSpecs', () => {
  it('defaults to text on stdout and takes FORMAT=FILE', () => {
    expect(parseFormatSpecs([])).toEqual([{ format: 'text' }]);
    expect(parseFormatSpecs(['json=out.json', 'text'])).toEqual([
      { format: 'json', file: 'out.json' },
      { format: 'text' },
    ]);
  });

  it.each([
    [['xml'], 'unknown format "xml"'],
    [['json', 'text'], 'only one --format may go to stdout'],
    [['json=a', 'sarif=a'], 'two formats write to the same file a'],
    [['json='], 'needs a file name'],
  ])('refuses %j', (values, message) => {
    expect(() => parseFormatSpecs(values)).toThrow(
      expect.objectContaining({ code: 'PAL_CLI_USAGE', message: expect.stringContaining(message) }),
    );
  });
});
