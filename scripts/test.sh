#!/usr/bin/env bash
# The whole test suite, as `npm test` and CI run it, on a machine that may have never seen the
# project: installs the pinned tools it needs, type-checks, lints, builds TypeScript and the
# policy bundle, runs the Rego tests (palisade test --rego: opa test, the examples included),
# starts the local cluster (scripts/cluster.sh), then jest: unit, integration over real HTTPS
# (every example through the engine, once) and e2e against the real kube-apiserver.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n== %s\n' "$*"; }

step "tools (pinned, built once into .tools/bin)"
bash scripts/tools.sh opa helm helm4 registry oras chromium gator prometheus reports-api # reports-api: the OpenReports CRDs the chart test compares with; registry, oras: the OCI tests (test/integration/oci*); chromium: the compliance report browser test; gator: the Gatekeeper differential test; prometheus: promtool and Prometheus for the alert and dashboard tests (first build about 15 min)

step "typecheck"
npx tsc -p tsconfig.json --noEmit

step "lint"
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }

step "build (TypeScript + policy bundle)"
npm run -s build

step "generated files are current (capabilities, policy reference, chart summary, deploy/)"
node bin/palisade.js generate --check

# --rego: opa check, opa fmt and opa test (the examples as generated Rego tests, through
# topdown). Every example runs through the engine once, in jest (policy-examples.test.ts).
step "policy tests: opa check, fmt and test (palisade test --rego)"
node bin/palisade.js test --rego

step "local cluster for the e2e tests (kube-apiserver + etcd on loopback)"
bash scripts/tools.sh kube-apiserver etcd haproxy # haproxy: the rollout test's load balancer
started_cluster=0
if ! bash scripts/cluster.sh status >/dev/null 2>&1; then
  bash scripts/cluster.sh up >/dev/null
  started_cluster=1
fi
trap '[ "$started_cluster" = 1 ] && bash scripts/cluster.sh down >/dev/null 2>&1 || true' EXIT

step "jest: unit, integration and e2e"
mkdir -p .tools
status=0
npx jest --ci --json --outputFile=.tools/jest-results.json "$@" || status=$?
node -e '
  const r = require("./.tools/jest-results.json");
  console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  if (r.numTotalTests === 0) { console.error("no test ran"); process.exit(1); }
'
exit "$status"
