#!/usr/bin/env bash
# Renders the Helm chart with its default values into deploy/palisade.yaml, for users who apply
# plain manifests (`kubectl apply -f deploy/palisade.yaml`): the palisade-system Namespace, then
# every object of the chart except the `helm test` hook.
#
#   scripts/render-deploy.sh           regenerate deploy/palisade.yaml
#   scripts/render-deploy.sh --check   exit 1 if deploy/palisade.yaml differs from a fresh render
#
# The test command runs --check, so a chart or policy change without a regenerated deploy/ fails.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out="$root/deploy/palisade.yaml"
namespace=palisade-system

bash "$root/scripts/tools.sh" helm
helm="$root/.tools/bin/helm"
version=$(sed -n 's/^appVersion: *//p' "$root/charts/palisade/Chart.yaml" | tr -d "\"' ")

render() {
  cat <<EOF
# Palisade, rendered from charts/palisade with its default values by scripts/render-deploy.sh;
# do not edit (change the chart, then run the script). Apply with:
#   kubectl apply -f deploy/palisade.yaml
# The image is palisade:$version: build it from the Dockerfile, push it to your registry, and
# point the Deployment at it:
#   kubectl -n $namespace set image deployment/palisade palisade=REGISTRY/palisade:$version
# For other settings, install the chart instead (README, "Install on a cluster").
---
apiVersion: v1
kind: Namespace
metadata:
  name: $namespace
EOF
  "$helm" template palisade "$root/charts/palisade" --namespace "$namespace" --no-hooks
}

if [ "${1:-}" = --check ]; then
  fresh=$(mktemp)
  trap 'rm -f "$fresh"' EXIT
  render >"$fresh"
  if ! diff -q "$out" "$fresh" >/dev/null 2>&1; then
    echo "render-deploy: deploy/palisade.yaml is stale; run npm run generate:chart and commit it" >&2
    diff -u "$out" "$fresh" | head -40 >&2 || true
    exit 1
  fi
  exit 0
fi
mkdir -p "$(dirname "$out")"
render >"$out.tmp"
mv -f "$out.tmp" "$out"
echo "render-deploy: wrote deploy/palisade.yaml" >&2
