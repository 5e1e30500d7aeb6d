#!/usr/bin/env bash
# Builds the policy bundle the webhook, the CLI and the audit load (docs/policy-contract.md).
#
#   scripts/build-policies.sh [POLICIES_DIR] [OUT_DIR]     defaults: policies dist/bundle
#
# 1. validates every policy folder (policy.rego + policy.yaml, package policies.<id>, metadata);
# 2. generates the aggregator palisade/main.rego (package palisade, scripts/gen-aggregator.js)
#    whose single entrypoint palisade/violations evaluates the policies listed in input.policies,
#    each with its own input.parameters (PALISADE_AGGREGATOR_OUT=<file> keeps a copy);
# 3. compiles lib + policies (no *_test.rego) + aggregator with `opa build -t wasm` against
#    POLICIES_DIR/capabilities.json, so a builtin the wasm host cannot run fails here, with its
#    file:line;
# 4. writes OUT_DIR/{policy.wasm,data.json,palisade.json} atomically (built in a temp dir beside
#    OUT_DIR, then renamed into place); palisade.json records, per policy, the top-level object
#    fields it can read (scripts/policy-reads.js), so the webhook leaves the others out.
#
# Env: OPA_OPTIMIZE (default 0, see below), SOURCE_DATE_EPOCH (fixes palisade.json builtAt).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
policies=${1:-policies}
out=${2:-dist/bundle}
# -O=0: measured with the starter policies (node, opa-wasm 1.10), -O=1 gives the same module size
# and speed, -O=2 a slightly larger module that evaluates ~1.8x slower (20-container Deployment
# with violations: 0.71 ms at -O=0/1, 1.3 ms at -O=2). Re-measure when the policy set grows.
optimize=${OPA_OPTIMIZE:-0}

log() { printf 'build-policies: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

bash "$root/scripts/tools.sh" opa
opa="$root/.tools/bin/opa"

[ -d "$policies" ] || die "policies directory '$policies' not found"
policies=${policies%/}
capabilities="$policies/capabilities.json"
[ -f "$capabilities" ] || die "$capabilities not found (generate it: node scripts/gen-capabilities.js)"

# --- 1. validate the policy folders -----------------------------------------------------------
ids=() pkgs=()
validated=$(node "$root/scripts/policy-manifest.js" validate "$policies") || die "invalid policy folder(s), see above"
while read -r id pkg; do
  ids+=("$id")
  pkgs+=("$pkg")
done <<<"$validated"
log "${#ids[@]} policies: ${ids[*]}"

work=$(mktemp -d "${TMPDIR:-/tmp}/palisade-build.XXXXXX")
out_parent=$(dirname "$out")
mkdir -p "$out_parent"
stage=$(mktemp -d "$out_parent/.$(basename "$out").tmp.XXXXXX")
cleanup() { rm -rf "$work" "$stage"; }
trap cleanup EXIT

# --- 2. the aggregator --------------------------------------------------------------------------
mkdir -p "$work/palisade"
main="$work/palisade/main.rego"
pairs=()
for i in "${!ids[@]}"; do pairs+=("${ids[$i]}=${pkgs[$i]}"); done
node "$root/scripts/gen-aggregator.js" "$opa" "$policies" "$main" "${pairs[@]}" ||
  die "could not generate the aggregator"
# For tools that load the same Rego elsewhere (npm run bench runs OPA server on it).
[ -z "${PALISADE_AGGREGATOR_OUT:-}" ] || cp "$main" "$PALISADE_AGGREGATOR_OUT"

# --- 3. compile -------------------------------------------------------------------------------
# Explicit file list: a directory argument would also load policy.yaml and the examples as data.
mapfile -t sources < <(
  find "$policies" -name '*.rego' ! -name '*_test.rego' -not -path '*/examples/*' | LC_ALL=C sort
)
[ ${#sources[@]} -gt 0 ] || die "no .rego sources under $policies"

log "opa build -t wasm -O=$optimize (${#sources[@]} files + aggregator)"
if ! "$opa" build -t wasm -O="$optimize" \
  --capabilities "$capabilities" \
  -e palisade/violations \
  -o "$work/bundle.tar.gz" \
  "${sources[@]}" "$main" >"$work/opa.out" 2>&1; then
  # opa names each problem as file:line: message (on stdout); the aggregator shows as <generated>.
  sed "s#$work/#<generated>/#g" "$work/opa.out" >&2
  grep -o 'undefined function [A-Za-z0-9_.]*' "$work/opa.out" | sort -u | while read -r _ _ fn; do
    log "$fn is neither a builtin the wasm bundle can run ($capabilities) nor a function the policies define"
  done
  die "opa build failed"
fi

# --- 4. assemble the bundle directory -------------------------------------------------------
tar -xzf "$work/bundle.tar.gz" -C "$work" /policy.wasm /data.json 2>/dev/null ||
  tar -xzf "$work/bundle.tar.gz" -C "$work" policy.wasm data.json
mv "$work/policy.wasm" "$work/data.json" "$stage/"
chmod 644 "$stage/policy.wasm" "$stage/data.json"
touch "$stage/policy.wasm" "$stage/data.json"
opa_version=$("$opa" version | sed -n 's/^Version: //p')
node "$root/scripts/policy-manifest.js" manifest "$policies" "$stage/palisade.json" \
  --opa-version "$opa_version" --wasm "$stage/policy.wasm" --opa "$opa"
chmod 755 "$stage"

# Swap into place: rename the old bundle aside, the new one in, then delete the old one. Readers
# see a complete old or new directory (or, for an instant, none), never a partial one.
if [ -e "$out" ]; then
  old="$out_parent/.$(basename "$out").old.$$"
  mv -T "$out" "$old"
  mv -T "$stage" "$out"
  rm -rf "$old"
else
  mv -T "$stage" "$out"
fi
log "wrote $out: policy.wasm ($(wc -c <"$out/policy.wasm") bytes), data.json, palisade.json"
