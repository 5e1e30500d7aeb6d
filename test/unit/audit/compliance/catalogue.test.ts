import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOGUE, policyControls } from '../../../../src/audit/compliance/catalogue';
import { loadPolicySources } from '../../../../src/policy/source/discover';
import { ROOT } from '../../../support/root';

const framework = (id: string) => CATALOGUE.find((f) => f.id === id)!;

describe('the control catalogue', () => {
  it.each(CATALOGUE.map((f) => [f.id, f] as const))(
    '%s names its source, version and unique ids',
    (_id, f) => {
      expect(f.source).toMatch(/https?:\/\//);
      expect(f.version).not.toBe('');
      const ids = f.controls.map((c) => c.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const c of f.controls) expect(c.title).not.toBe('');
    },
  );

  it('lists every check of Pod Security Admission v1.37 with its level', () => {
    // k8s.io/pod-security-admission v0.37.2, policy/check_*.go: one file per check.
    const pss = framework('pss').controls;
    expect(
      pss
        .filter((c) => c.level === 'baseline')
        .map((c) => c.id)
        .sort(),
    ).toEqual(
      [
        'appArmorProfile',
        'capabilities_baseline',
        'hostNamespaces',
        'hostPathVolumes',
        'hostPorts',
        'hostProbesAndHostLifecycle',
        'privileged',
        'procMount',
        'seLinuxOptions',
        'seccompProfile_baseline',
        'sysctls',
        'windowsHostProcess',
      ].sort(),
    );
    expect(
      pss
        .filter((c) => c.level === 'restricted')
        .map((c) => c.id)
        .sort(),
    ).toEqual(
      [
        'allowPrivilegeEscalation',
        'capabilities_restricted',
        'procMount_restricted',
        'restrictedVolumes',
        'runAsNonRoot',
        'runAsUser',
        'seccompProfile_restricted',
      ].sort(),
    );
    expect(pss).toHaveLength(19);
  });

  it('lists the 35 recommendations of CIS v1.10 section 5, in benchmark order', () => {
    const ids = framework('cis').controls.map((c) => c.id);
    expect(ids).toHaveLength(35);
    expect(ids.every((id) => /^5\.[1-7]\.\d+$/.test(id))).toBe(true);
    const numeric = ids.map((id) => id.split('.').map(Number));
    const sorted = [...numeric].sort((a, b) => a[1]! - b[1]! || a[2]! - b[2]!);
    expect(numeric).toEqual(sorted);
  });

  it('gives every NSA-CISA section its chapter, listed before it', () => {
    const nsa = framework('nsa').controls;
    const chapters = nsa.filter((c) => !c.section).map((c) => c.id);
    expect(chapters).toHaveLength(5);
    nsa.forEach((c, i) => {
      if (!c.section) return;
      expect(c.id.startsWith(`${c.section}: `)).toBe(true);
      expect(nsa.slice(0, i).map((x) => x.id)).toContain(c.section);
    });
  });

  // The library's policies must map to catalogued controls, or "not covered" would be wrong.
  const { policies, errors } = loadPolicySources(join(ROOT, 'policies'));
  it('loads the policy library', () => {
    expect(errors).toEqual([]);
    expect(policies.length).toBe(
      readdirSync(join(ROOT, 'policies'), { withFileTypes: true }).filter(
        (d) => d.isDirectory() && d.name !== 'lib',
      ).length,
    );
  });
  it.each(policies.map((p) => [p.id, p] as const))(
    '%s maps only to catalogued controls',
    (_id, p) => {
      for (const ref of policyControls(p.meta)) {
        const control = framework(ref.framework).controls.find((c) => c.id === ref.id);
        expect({ ...ref, found: Boolean(control) }).toEqual({ ...ref, found: true });
        const pss = p.meta.controls?.pss as { level?: string } | undefined;
        if (ref.framework === 'pss') expect(control!.level).toBe(pss?.level);
      }
    },
  );
});

describe('policyControls', () => {
  it.each([
    [
      'every framework',
      { pss: { level: 'baseline', check: 'privileged' }, cis: ['5.2.2'], nsa: ' X: Y ' },
      [
        { framework: 'pss', id: 'privileged' },
        { framework: 'cis', id: '5.2.2' },
        { framework: 'nsa', id: 'X: Y' },
      ],
    ],
    ['no controls', undefined, []],
    ['odd shapes', { pss: 'baseline', cis: '5.2.2', nsa: 3 }, []],
    ['non-string CIS ids', { cis: ['5.1.1', 5, ''] }, [{ framework: 'cis', id: '5.1.1' }]],
  ])('%s', (_name, controls, expected) => {
    expect(policyControls({ controls: controls as Record<string, unknown> | undefined })).toEqual(
      expected,
    );
  });
});
