#!/usr/bin/env bash
# The whole test suite, as `npm test` and CI run it, on a machine that may have never seen the
# project: installs the pinned tools it needs, type-checks, lints, builds TypeScript and the
# policy bundle, runs the Rego unit tests with opa, then jest (unit + integration over real HTTPS).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n== %s\n' "$*"; }

step "tools (pinned, built once into .tools/bin)"
bash scripts/tools.sh opa

step "typecheck"
npx tsc -p tsconfig.json --noEmit

step "lint"
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }

step "build (TypeScript + policy bundle)"
npm run -s build

step "Rego unit tests (opa test)"
bash scripts/opa-test.sh

step "jest: unit and integration"
mkdir -p .tools
status=0
npx jest --ci --json --outputFile=.tools/jest-results.json "$@" || status=$?
node -e '
  const r = require("./.tools/jest-results.json");
  console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  if (r.numTotalTests === 0) { console.error("no test ran"); process.exit(1); }
'
exit "$status"
