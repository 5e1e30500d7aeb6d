#!/usr/bin/env bash
# npm run test:e2e: the e2e jest project against the local cluster. Starts the cluster if it is
# not running (and stops it afterwards); reuses one that is (e.g. after npm run cluster:up).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
npm run -s build
bash scripts/tools.sh haproxy registry # the rollout test's load balancer; the bundle test's registry
started=0
if ! bash scripts/cluster.sh status >/dev/null 2>&1; then
  bash scripts/cluster.sh up >/dev/null
  started=1
fi
trap '[ "$started" = 1 ] && bash scripts/cluster.sh down >/dev/null 2>&1 || true' EXIT
npx jest --selectProjects e2e "$@"
