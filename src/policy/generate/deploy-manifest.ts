// deploy/palisade.yaml: the Helm chart rendered with its default values, for users who apply
// plain manifests (`kubectl apply -f deploy/palisade.yaml`): the palisade-system Namespace, then
// every object of the chart except the `helm test` hook (`helm template --no-hooks`, with the
// pinned helm).
//
// The chart is rendered from a scratch copy holding the freshly generated files/policies.json,
// so one pass checks deploy/ against the summary it is about to write, not the committed one.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHART_SUMMARY } from './chart-summary';
import { GenerateError } from './generate-error';
import { pinnedTool, toolOutput } from './run-tool';

export const DEPLOY_MANIFEST = 'deploy/palisade.yaml';
const NAMESPACE = 'palisade-system';
const CHART = 'charts/palisade';

/** The manifest's text (root: the repository; chartSummary: files/policies.json's text). */
export function renderDeployManifest(root: string, chartSummary: string): string {
  const helm = pinnedTool(root, 'helm');
  const version = appVersion(root);
  const work = mkdtempSync(join(tmpdir(), 'palisade-deploy-'));
  try {
    const chart = join(work, 'palisade');
    cpSync(join(root, CHART), chart, { recursive: true });
    writeFileSync(join(work, CHART_SUMMARY.replace(`${CHART}/`, 'palisade/')), chartSummary);
    const objects = toolOutput(helm, [
      'template',
      'palisade',
      chart,
      '--namespace',
      NAMESPACE,
      '--no-hooks',
    ]);
    return header(version) + objects;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function header(version: string): string {
  return `# Palisade, rendered from charts/palisade with its default values by \`palisade generate\`;
# do not edit (change the chart, then run npm run generate). Apply with:
#   kubectl apply -f deploy/palisade.yaml
# The image is palisade:${version}: build it from the Dockerfile, push it to your registry, and
# point the Deployment at it:
#   kubectl -n ${NAMESPACE} set image deployment/palisade palisade=REGISTRY/palisade:${version}
# For other settings, install the chart instead (README, "Install on a cluster").
---
apiVersion: v1
kind: Namespace
metadata:
  name: ${NAMESPACE}
`;
}

/** Chart.yaml's appVersion, the image tag the chart deploys. */
function appVersion(root: string): string {
  const file = join(root, CHART, 'Chart.yaml');
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('appVersion:'));
  if (!line) throw new GenerateError('PAL_GEN_SOURCE', `${file}: no appVersion`);
  return line.replace(/^appVersion: */, '').replace(/["' ]/g, '');
}
