// Parity with Kubernetes' own Pod Security Admission on its own test corpus: every fixture pod of
// k8s.io/pod-security-admission (every level, every version v1.0 ... v1.37, pass and fail) through
// Palisade's PSS policies on the real engine, with the `version` parameter set to the fixture's
// version. A pass fixture must give no violation, a fail fixture at least one; the same holds for
// the fixture as a Deployment's pod template.
import { asDeployment, loadPsaFixtures, psaModuleDir, type PsaFixture } from './pss/psa-fixtures';
import { loadPssEngine, type PssEngine } from './pss/pss-engine';

let engine: PssEngine;
let fixtures: PsaFixture[];

beforeAll(async () => {
  engine = await loadPssEngine();
  fixtures = loadPsaFixtures(psaModuleDir());
}, 300_000);

function disagreements(wrap: (f: PsaFixture) => PsaFixture['pod']): string[] {
  const out: string[] = [];
  for (const f of fixtures) {
    const vs = engine.evaluate(wrap(f), f.level, f.version);
    const denied = vs.length > 0;
    if (denied !== (f.expect === 'fail')) {
      const why = denied ? vs.map((v) => `[${v.policy}] ${v.msg}`).join('; ') : 'no violation';
      out.push(`${f.level}/${f.version}/${f.expect}/${f.file.split('/').pop()}: ${why}`);
    }
  }
  return out;
}

it('covers both levels, every version from v1.0 to v1.37, pass and fail', () => {
  const versions = new Set(fixtures.map((f) => f.version));
  expect(versions.has('v1.0')).toBe(true);
  expect(versions.has('v1.37')).toBe(true);
  expect(new Set(fixtures.map((f) => `${f.level}/${f.expect}`))).toEqual(
    new Set(['baseline/pass', 'baseline/fail', 'restricted/pass', 'restricted/fail']),
  );
  expect(fixtures.length).toBeGreaterThan(4000);
});

it('decides every fixture pod as PSA does', () => {
  expect(disagreements((f) => f.pod)).toEqual([]);
});

it('decides every fixture as a Deployment pod template as PSA does', () => {
  expect(disagreements((f) => asDeployment(f.pod))).toEqual([]);
});
