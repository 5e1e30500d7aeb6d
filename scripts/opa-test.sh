#!/usr/bin/env bash
# Tests the Rego policies (npm run test:rego).
#
#   scripts/opa-test.sh [POLICIES_DIR] [opa test flags...]     default: policies; e.g. -v, --run RE
#
# 1. validates the policy folders (as the bundle build does);
# 2. opa check --strict against POLICIES_DIR/capabilities.json (sources, not *_test.rego): a builtin
#    the wasm bundle cannot run fails here with file:line, as it would in the build;
# 3. opa fmt: sources must be formatted (run `.tools/bin/opa fmt -w policies` to fix);
# 4. opa test over every *_test.rego plus one generated test per example manifest
#    (examples/allowed/*.yaml: no violation; examples/denied/*.yaml: exactly the violations of the
#    sibling *.expected.json). Quiet unless something fails; pass -v for every test.
# 5. policies/capabilities.json is up to date with the pinned opa (scripts/gen-capabilities.js --check),
#    only for the default policies directory.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
policies=policies
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  policies=${1%/}
  shift
fi

log() { printf 'opa-test: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

bash "$root/scripts/tools.sh" opa
opa="$root/.tools/bin/opa"
[ -d "$policies" ] || die "policies directory '$policies' not found"
capabilities="$policies/capabilities.json"
[ -f "$capabilities" ] || die "$capabilities not found (generate it: node scripts/gen-capabilities.js)"

work=$(mktemp -d "${TMPDIR:-/tmp}/palisade-opa-test.XXXXXX")
trap 'rm -rf "$work"' EXIT

node "$root/scripts/policy-manifest.js" validate "$policies" >/dev/null || die "invalid policy folder(s), see above"

mapfile -t sources < <(
  find "$policies" -name '*.rego' ! -name '*_test.rego' -not -path '*/examples/*' | LC_ALL=C sort
)
"$opa" check --strict --capabilities "$capabilities" "${sources[@]}" || die "opa check failed"

mapfile -t all_rego < <(find "$policies" -name '*.rego' -not -path '*/examples/*' | LC_ALL=C sort)
if ! unformatted=$("$opa" fmt --list --fail "${all_rego[@]}"); then
  [ -n "$unformatted" ] || die "opa fmt failed"
  printf '%s\n' "$unformatted" >&2
  die "not formatted as opa fmt would (run: $opa fmt -w $policies)"
fi

node "$root/scripts/policy-manifest.js" examples-test "$policies" "$work/examples_test.rego"

# The policy folders also hold policy.yaml, examples and capabilities.json: load Rego only.
"$opa" test --ignore '*.yaml' --ignore '*.yml' --ignore '*.json' "$@" "$policies" "$work/examples_test.rego" ||
  die "opa test failed"

if [ "$(cd "$policies" && pwd)" = "$root/policies" ]; then
  node "$root/scripts/gen-capabilities.js" --check
fi
log "ok"
