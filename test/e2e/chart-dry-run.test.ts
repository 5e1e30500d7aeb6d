// The chart's objects as the real apiserver sees them: every scenario's render applied with
// server-side dry run (schemas, CEL matchConditions, RBAC and CRD validation), in a namespace
// that enforces Pod Security "restricted", with no warning; deploy/palisade.yaml likewise.
//
// The apiserver is shared with the other e2e files, and the chart's cluster-scoped objects that
// keep their name across releases (the OpenReports CRDs, `helm.sh/resource-policy: keep`) may
// already be there, owned by the field manager "helm" of another test's release: a dry run of
// this render's labels on them would be a field-ownership conflict, which says nothing of what
// this test checks (schemas, validation, Pod Security). So every dry run takes the fields over
// (--force-conflicts), which a dry run never persists.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifests, renderText, SCENARIOS } from '../chart/render';
import { kubectl, requireCluster, ROOT } from '../support/cluster';
import { installCrds } from './chart/crds';
import { createNamespace, podSecurityLabels, uniqueName } from './namespaces';

const dryRun = ['apply', '--server-side', '--dry-run=server', '--force-conflicts', '-f', '-'];

beforeAll(async () => {
  requireCluster();
  await installCrds();
}, 180_000);

it.each(['default', ...SCENARIOS])(
  '%s: every object is accepted, pods under restricted Pod Security',
  async (scenario) => {
    const ns = uniqueName('chart-dry-run');
    await createNamespace(ns, podSecurityLabels({ enforce: 'restricted', warn: 'restricted' }));
    const text = renderText({
      values: scenario === 'default' ? [] : [scenario],
      release: ns,
      namespace: ns,
    });
    const r = await kubectl(dryRun, text);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const applied = r.stdout
      .split('\n')
      .filter((l) => l.endsWith('serverside-applied (server dry run)'));
    expect(applied).toHaveLength(parseManifests(text).length);
  },
);

it('deploy/palisade.yaml is accepted too', async () => {
  const text = readFileSync(join(ROOT, 'deploy', 'palisade.yaml'), 'utf8');
  // Its Namespace would only be created in a dry run; use a real one instead, same objects.
  const objects = parseManifests(text).filter((o) => o.kind !== 'Namespace');
  const ns = uniqueName('deploy-dry-run');
  await createNamespace(ns, podSecurityLabels({ enforce: 'restricted', warn: 'restricted' }));
  const manifests = JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: JSON.parse(JSON.stringify(objects).replaceAll('palisade-system', ns)),
  });
  const out = await kubectl(dryRun, manifests);
  expect(out.stderr).toBe('');
  expect(out.code).toBe(0);
});

it('the check can fail: a containerSecurityContext that breaks restricted is refused', async () => {
  const ns = uniqueName('chart-dry-run');
  await createNamespace(ns, podSecurityLabels({ enforce: 'restricted', warn: 'restricted' }));
  const text = renderText({
    release: ns,
    namespace: ns,
    set: { 'containerSecurityContext.allowPrivilegeEscalation': true },
  });
  const r = await kubectl(dryRun, text);
  expect(r.stderr).toContain('would violate PodSecurity "restricted:latest"');
  expect(r.stderr).toMatch(
    /pods "\S+-test" is forbidden: violates PodSecurity "restricted:latest"/,
  );
});
