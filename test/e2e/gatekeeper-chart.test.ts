// The chart's "installed unless present" for the ConstraintTemplate CRD, with the real helm's
// lookup against the real apiserver (helm install --dry-run=server: lookups run, nothing is
// written): a CRD this release did not install is left out of the release; one it installed
// stays in it, so an upgrade never drops it.
import { parseManifests } from '../chart/render';
import { helmOk, CHART } from './chart/helm';
import { installTemplateCrd, kubectlOk } from './gatekeeper-support';
import { uniqueName } from './namespaces';
import { requireCluster } from '../support/cluster';

const CRD = 'constrainttemplates.templates.gatekeeper.sh';
const release = uniqueName('palisade-gk');

const installDryRun = async (which: 'helm' | 'helm4') => {
  const out = await helmOk(which, [
    'install',
    release,
    CHART,
    '-n',
    release,
    '--dry-run=server',
    '--set',
    'gatekeeper.enabled=true',
  ]);
  const manifest = out.slice(out.indexOf('MANIFEST:') + 'MANIFEST:'.length, out.indexOf('NOTES:'));
  return parseManifests(manifest)
    .filter((o) => o.kind === 'CustomResourceDefinition')
    .map((o) => o.metadata.name);
};

beforeAll(async () => {
  requireCluster();
  // Present, applied by kubectl (as Gatekeeper's or a hand-applied CRD would be): no release owns it.
  await installTemplateCrd();
});

it.each([['helm' as const], ['helm4' as const]])(
  '%s: leaves out a CRD another owner installed',
  async (which) => {
    expect(await installDryRun(which)).not.toContain(CRD);
  },
);

it('keeps the CRD in the release that installed it', async () => {
  // Helm's ownership marks, as an install by this release leaves them.
  const marks = [
    `meta.helm.sh/release-name=${release}`,
    `meta.helm.sh/release-namespace=${release}`,
  ];
  await kubectlOk(['annotate', 'crd', CRD, ...marks, '--overwrite']);
  await kubectlOk(['label', 'crd', CRD, 'app.kubernetes.io/managed-by=Helm', '--overwrite']);
  try {
    expect(await installDryRun('helm')).toContain(CRD);
    // The same release name in another namespace is another release.
    await kubectlOk([
      'annotate',
      'crd',
      CRD,
      'meta.helm.sh/release-namespace=elsewhere',
      '--overwrite',
    ]);
    expect(await installDryRun('helm')).not.toContain(CRD);
  } finally {
    await kubectlOk([
      'annotate',
      'crd',
      CRD,
      'meta.helm.sh/release-name-',
      'meta.helm.sh/release-namespace-',
    ]);
    await kubectlOk(['label', 'crd', CRD, 'app.kubernetes.io/managed-by-']);
  }
});
