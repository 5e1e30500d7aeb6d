import { ComplianceTally } from '../../../../src/audit/compliance/tally';
import type {
  ComplianceReport,
  ControlReport,
} from '../../../../src/audit/compliance/report-model';
import { ABOUT, audit, CATALOGUE, POLICIES, result } from './fixture';

function report(...audits: Parameters<ComplianceTally['add']>[]): ComplianceReport {
  const tally = new ComplianceTally(POLICIES, CATALOGUE);
  for (const [a, source] of audits) tally.add(a, source);
  return tally.report(ABOUT);
}

function control(r: ComplianceReport, framework: string, id: string): ControlReport {
  const c = r.frameworks.find((f) => f.id === framework)!.controls.find((x) => x.id === id);
  if (!c) throw new Error(`no control ${framework}:${id}`);
  return c;
}

const privileged = audit('Pod', 'shop', 'web', [
  result('privileged', 'fail', {
    path: 'spec.containers[0].securityContext.privileged',
    fix: 'unset it',
  }),
  result('non-root', 'pass'),
  result('non-root-user', 'pass'),
]);
const clean = audit('Pod', 'shop', 'api', [
  result('privileged', 'pass'),
  result('non-root', 'pass'),
  result('non-root-user', 'pass'),
]);
const root = audit('Pod', 'batch', 'job', [
  result('privileged', 'pass'),
  result('non-root', 'warn', { message: 'runAsNonRoot must be true' }),
  result('non-root-user', 'fail', { message: 'runAsUser is 0' }),
]);

describe('ComplianceTally', () => {
  it('counts an object under every control its policies implement, failing where one found a violation', () => {
    const r = report([privileged, 'pods.yaml:1'], [clean, 'pods.yaml:20'], [root]);
    expect(control(r, 'pss', 'privileged')).toMatchObject({
      status: 'fail',
      objects: { pass: 2, fail: 1, error: 0 },
      policies: [{ id: 'privileged', title: 'title of privileged', action: 'deny' }],
    });
    expect(control(r, 'cis', '5.2.2')).toMatchObject({
      status: 'fail',
      objects: { pass: 2, fail: 1 },
    });
    expect(control(r, 'pss', 'runAsNonRoot')).toMatchObject({
      status: 'fail',
      objects: { pass: 2, fail: 1 },
    });
  });

  it('lists each failing object with its path, message, fix and source', () => {
    const r = report([privileged, 'pods.yaml:1'], [clean, 'pods.yaml:20']);
    expect(control(r, 'pss', 'privileged').failures).toEqual([
      {
        object: {
          apiVersion: 'v1',
          kind: 'Pod',
          namespace: 'shop',
          name: 'web',
          source: 'pods.yaml:1',
        },
        policy: 'privileged',
        action: 'deny',
        message: 'privileged violated',
        path: 'spec.containers[0].securityContext.privileged',
        fix: 'unset it',
      },
    ]);
  });

  it('counts an object once under a control two of its failing policies implement, listing both violations', () => {
    const r = report([root]);
    const c = control(r, 'cis', '5.2.7');
    expect(c.objects).toEqual({ pass: 0, fail: 1, error: 0 });
    expect(c.policies.map((p) => p.id)).toEqual(['non-root', 'non-root-user']);
    expect(c.failures.map((f) => [f.policy, f.action, f.message])).toEqual([
      ['non-root', 'warn', 'runAsNonRoot must be true'],
      ['non-root-user', 'audit', 'runAsUser is 0'],
    ]);
  });

  it('says which controls no enabled policy covers, and which saw no object', () => {
    const r = report([clean]);
    expect(control(r, 'pss', 'hostPorts')).toMatchObject({
      status: 'not-covered',
      policies: [],
      objects: { pass: 0, fail: 0, error: 0 },
    });
    expect(control(r, 'cis', '5.7.4').status).toBe('not-covered');
    expect(control(r, 'pss', 'privileged').status).toBe('pass');
    expect(report().frameworks[0]!.controls.map((c) => c.status)).toEqual([
      'no-objects',
      'not-covered',
      'no-objects',
    ]);
  });

  it('summarises each framework', () => {
    const r = report([privileged], [clean]);
    expect(r.frameworks.map((f) => [f.id, f.summary])).toEqual([
      ['pss', { controls: 3, passing: 1, failing: 1, error: 0, noObjects: 0, notCovered: 1 }],
      ['cis', { controls: 3, passing: 1, failing: 1, error: 0, noObjects: 0, notCovered: 1 }],
      // A control a policy names that the catalogue lacks is reported, marked.
      ['nsa', { controls: 1, passing: 1, failing: 0, error: 0, noObjects: 0, notCovered: 0 }],
    ]);
    expect(control(r, 'nsa', 'Pod security: Non-root')).toMatchObject({ catalogued: false });
    expect(r.notes).toEqual([
      'NSA-CISA: "Pod security: Non-root" (named by non-root-user) is not in the catalogue',
    ]);
  });

  it('counts exempt objects apart and objects that could not be evaluated as errors', () => {
    const broken = audit('Pod', 'shop', 'broken', [
      result('privileged', 'error', { message: 'evaluation timed out' }),
      result('non-root', 'error'),
    ]);
    const exempt = audit('Pod', 'kube-system', 'dns', [], 'namespace kube-system is exempt');
    const r = report([broken], [exempt], [clean]);
    expect(r.totals).toEqual({ objects: 2, evaluated: 2, exempt: 1, errors: 1, failing: 0 });
    expect(control(r, 'pss', 'privileged')).toMatchObject({
      status: 'error',
      objects: { pass: 1, fail: 0, error: 1 },
    });
    expect(r.namespaces).toEqual(['shop']);
  });

  it('leaves out skipped results, policies not enabled and objects no policy applies to', () => {
    const other = audit('ConfigMap', 'shop', 'settings', [
      { ...result('privileged', 'fail'), policy: 'not-enabled' },
      result('privileged', 'skip'),
    ]);
    const r = report([other]);
    expect(r.totals).toMatchObject({ objects: 1, evaluated: 0, failing: 0 });
    expect(control(r, 'pss', 'privileged').status).toBe('no-objects');
  });

  it('counts per policy and sorts failures by namespace, kind and name', () => {
    const r = report(
      [audit('Pod', 'b', 'z', [result('privileged', 'fail')])],
      [audit('Pod', 'a', 'y', [result('privileged', 'fail')])],
      [audit('Deployment', 'b', 'x', [result('privileged', 'fail')])],
      [clean],
    );
    expect(r.policies.find((p) => p.id === 'privileged')).toMatchObject({
      objects: { pass: 1, fail: 3, error: 0 },
      controls: [
        { framework: 'pss', id: 'privileged' },
        { framework: 'cis', id: '5.2.2' },
      ],
    });
    const names = control(r, 'pss', 'privileged').failures.map(
      (f) => `${f.object.namespace}/${f.object.kind}/${f.object.name}`,
    );
    expect(names).toEqual(['a/Pod/y', 'b/Deployment/x', 'b/Pod/z']);
    expect(r.totals.failing).toBe(3);
  });

  it('notes a policy naming a framework without a catalogue', () => {
    const tally = new ComplianceTally(
      [
        {
          ...POLICIES[0]!,
          controls: { owasp: ['K01'], pss: { level: 'baseline', check: 'privileged' } },
        },
      ],
      CATALOGUE,
    );
    expect(tally.report(ABOUT).notes).toEqual([
      'policy privileged names controls of "owasp", a framework not catalogued',
    ]);
  });

  it('keeps the first maxFailures failures of a control and counts the rest', () => {
    const tally = new ComplianceTally(POLICIES, CATALOGUE, 2);
    for (const name of ['a', 'b', 'c']) {
      tally.add(audit('Pod', 'shop', name, [result('privileged', 'fail')]));
    }
    const c = control(tally.report(ABOUT), 'pss', 'privileged');
    expect(c.objects.fail).toBe(3);
    expect(c.failures.map((f) => f.object.name)).toEqual(['a', 'b']);
    expect(c.failuresOmitted).toBe(1);
  });

  it('merges a fork as if its objects had been added to the tally itself', () => {
    const objects = [privileged, clean, root, audit('Pod', 'x', 'e', [], 'exempt')];
    const whole = new ComplianceTally(POLICIES, CATALOGUE, 1);
    for (const o of objects) whole.add(o);
    const merged = new ComplianceTally(POLICIES, CATALOGUE, 1);
    merged.add(objects[0]!);
    const part = merged.fork();
    for (const o of objects.slice(1)) part.add(o);
    merged.merge(part);
    expect(merged.report(ABOUT)).toEqual(whole.report(ABOUT));
  });
});
