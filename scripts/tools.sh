#!/usr/bin/env bash
# Installs the pinned command-line tools Palisade needs into .tools/bin, built from their Go
# modules through the Go module proxy (the way Kubernetes projects install controller-gen or
# setup-envtest). A tool already present at the pinned version is reused.
#
#   scripts/tools.sh                     install every tool in DEFAULT_TOOLS
#   scripts/tools.sh kube-apiserver etcd install the named tools only
#   scripts/tools.sh haproxy             the Debian package, when `haproxy` is not on PATH
#   scripts/tools.sh chromium            Debian's Chromium, when /usr/bin/chromium is missing
#   scripts/tools.sh registry oras       the OCI registry and client the OCI tests use
#   scripts/tools.sh reports-api         the OpenReports CRDs of the pinned module, into .tools/reports-api
#   scripts/tools.sh gator               Gatekeeper's CLI, for the differential test and the bench
#   scripts/tools.sh prometheus          prometheus and promtool, for the alert and dashboard tests
#
# Versions are pinned here. kube-apiserver and etcd are built from small tools modules
# (tools/kube, tools/etcd) whose committed go.mod/go.sum pin the whole dependency graph;
# the versions below must match those go.mod files, which is checked before building.
set -euo pipefail

OPA_VERSION=v1.22.2
KUBERNETES_VERSION=v1.37.2 # k8s.io/kubernetes in tools/kube/go.mod (staging modules at v0.37.2)
ETCD_VERSION=v3.7.3        # go.etcd.io/etcd/server/v3 in tools/etcd/go.mod
HELM_VERSION=v3.22.0       # helm.sh/helm/v3/cmd/helm, installed as `helm`
HELM4_VERSION=v4.3.1       # helm.sh/helm/v4/cmd/helm, installed as `helm4`
REGISTRY_VERSION=v3.1.2    # github.com/distribution/distribution/v3/cmd/registry (CNCF Distribution)
ORAS_VERSION=v1.3.6        # oras.land/oras/cmd/oras
GATOR_VERSION=v3.23.1      # github.com/open-policy-agent/gatekeeper/v3/cmd/gator (Gatekeeper's CLI)
PROMETHEUS_VERSION=v0.316.0 # github.com/prometheus/prometheus (Prometheus 3.16.0): cmd/prometheus, cmd/promtool
REPORTS_API_VERSION=v0.2.1 # github.com/openreports/reports-api: the OpenReports CRDs the chart ships

# What `scripts/tools.sh` with no arguments installs; append new tools here.
DEFAULT_TOOLS=(opa kube-apiserver etcd helm helm4 reports-api)

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="$root/.tools/bin"
mkdir -p "$bin"
export GOBIN="$bin" GOFLAGS="${GOFLAGS:--buildvcs=false}" CGO_ENABLED=0

log() { printf 'tools: %s\n' "$*" >&2; }

# stamp_ok NAME VERSION: true when .tools/bin/NAME exists and was built at VERSION.
stamp_ok() { [ -x "$bin/$1" ] && [ "$(cat "$bin/.$1.version" 2>/dev/null)" = "$2" ]; }
stamp() { printf '%s\n' "$2" >"$bin/.$1.version"; }

install_opa() {
  if stamp_ok opa "$OPA_VERSION"; then return; fi
  log "building opa $OPA_VERSION (first time only, a few minutes)"
  go install "github.com/open-policy-agent/opa@$OPA_VERSION"
  stamp opa "$OPA_VERSION"
}

# build_module_tool NAME VERSION MODULE_DIR MODULE PACKAGE [LDFLAGS...]: builds PACKAGE inside
# the tools module at MODULE_DIR into .tools/bin/NAME, after checking that MODULE_DIR/go.mod
# resolves MODULE at VERSION. Static, trimmed, stripped; written atomically.
build_module_tool() {
  local name=$1 version=$2 dir=$3 module=$4 pkg=$5
  shift 5
  if stamp_ok "$name" "$version"; then return; fi
  # One build per tool at a time (e.g. two `scripts/cluster.sh up` at once); the loser reuses
  # the winner's binary.
  exec 9>"$bin/.$name.lock"
  flock 9
  if stamp_ok "$name" "$version"; then exec 9>&-; return; fi
  local pinned
  pinned=$(cd "$dir" && go list -m -f '{{.Version}}' "$module")
  if [ "$pinned" != "$version" ]; then
    log "$dir/go.mod has $module $pinned but scripts/tools.sh pins $version; update one of them (then go mod tidy)"
    exit 1
  fi
  log "building $name $version from $module (first time only: about 1 min for etcd, 5-6 min for kube-apiserver on 2 cores)"
  (cd "$dir" && go build -trimpath -ldflags="-s -w $*" -o "$bin/.$name.tmp" "$pkg")
  mv -f "$bin/.$name.tmp" "$bin/$name"
  stamp "$name" "$version"
  exec 9>&-
}

install_kube_apiserver() {
  # The version variables hack/lib/version.sh would set, so /version reports the release.
  local v=$KUBERNETES_VERSION minor=${KUBERNETES_VERSION#v*.}
  minor=${minor%%.*}
  local x=() p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    x+=("-X $p.gitVersion=$v" "-X $p.gitMajor=1" "-X $p.gitMinor=$minor" "-X $p.gitTreeState=clean")
  done
  build_module_tool kube-apiserver "$KUBERNETES_VERSION" "$root/tools/kube" \
    k8s.io/kubernetes k8s.io/kubernetes/cmd/kube-apiserver "${x[@]}"
}

# apt_install PKG PRESENT [APT-ARG...]: installs the distribution's package PKG with apt-get
# (as root, or through sudo) unless the shell test PRESENT already passes; one install at a time.
# APT-ARGs go to apt-get install (NAME=VALUE ones to its environment).
apt_install() {
  local pkg=$1 present=$2
  shift 2
  if eval "$present"; then return; fi
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { log "$pkg is missing: install it (apt-get install $pkg) or run as root"; exit 1; }
    sudo=(sudo)
  fi
  command -v apt-get >/dev/null 2>&1 || { log "$pkg is missing and there is no apt-get: install $pkg yourself"; exit 1; }
  exec 9>"$bin/.$pkg.lock"
  flock 9
  if eval "$present"; then exec 9>&-; return; fi
  log "installing $pkg from the distribution (apt-get, first time only)"
  "${sudo[@]}" apt-get update -qq
  local envs=() args=() a
  for a in "$@"; do if [[ $a == *=* ]]; then envs+=("$a"); else args+=("$a"); fi; done
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "${envs[@]}" \
    apt-get install -y -qq "${args[@]}" "$pkg" >/dev/null
  exec 9>&-
}

# haproxy is not a Go tool: the rollout e2e test (test/e2e/rollout.test.ts) uses the distribution's
# own package as the TCP load balancer in front of two Palisades; any haproxy already on PATH is
# used as it is. RUNLEVEL=1: the package's postinst must not start a system-wide haproxy service.
install_haproxy() {
  apt_install haproxy 'command -v haproxy >/dev/null 2>&1' RUNLEVEL=1 --no-install-recommends
}

# Chromium is not a Go tool either: the browser tests (compliance report, playground) drive the
# distribution's Chromium through playwright-core; never downloaded by a test tool (`npx
# playwright install` fetches its own build and is not used). PALISADE_CHROMIUM names another
# binary and skips the install.
install_chromium() {
  apt_install chromium '[ -n "${PALISADE_CHROMIUM:-}" ] || [ -x /usr/bin/chromium ]'
}

install_etcd() {
  build_module_tool etcd "$ETCD_VERSION" "$root/tools/etcd" \
    go.etcd.io/etcd/server/v3 go.etcd.io/etcd/server/v3
}

# install_helm NAME MAJOR VERSION: `go install helm.sh/helm/MAJOR/cmd/helm@VERSION` (its go.mod
# has no replace directives, so no tools module is needed), renamed to NAME so Helm 3 and 4
# live side by side. The -X flags are the ones Helm's Makefile sets: the version, and for Helm 3
# the default Kubernetes version of `helm template`/`helm lint` (from its client-go; Helm 4
# reads that from its build info).
install_helm() {
  local name=$1 major=$2 version=$3
  if stamp_ok "$name" "$version"; then return; fi
  exec 9>"$bin/.$name.lock"
  flock 9
  if stamp_ok "$name" "$version"; then exec 9>&-; return; fi
  local pkg="helm.sh/helm/$major" ldflags
  ldflags="-s -w -X $pkg/internal/version.version=$version -X $pkg/internal/version.gitTreeState=clean"
  if [ "$major" = v3 ]; then
    local gomod client_go minor
    gomod=$(go mod download -json "$pkg@$version" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
    client_go=$(awk '$1 == "k8s.io/client-go" { print $2 }' "$gomod")
    minor=$(cut -d. -f2 <<<"$client_go")
    [ -n "$minor" ] || { log "cannot find k8s.io/client-go in $gomod"; exit 1; }
    ldflags+=" -X $pkg/pkg/chartutil.k8sVersionMajor=1 -X $pkg/pkg/chartutil.k8sVersionMinor=$minor"
    ldflags+=" -X $pkg/pkg/lint/rules.k8sVersionMajor=1 -X $pkg/pkg/lint/rules.k8sVersionMinor=$minor"
  fi
  log "building $name $version from $pkg (first time only, a few minutes)"
  local tmp
  tmp=$(mktemp -d "$bin/.$name.XXXXXX")
  GOBIN="$tmp" go install -trimpath -ldflags="$ldflags" "$pkg/cmd/helm@$version"
  mv -f "$tmp/helm" "$bin/$name"
  rmdir "$tmp"
  stamp "$name" "$version"
  exec 9>&-
}

# install_go_tool NAME VERSION PACKAGE [LDFLAGS...]: `go install PACKAGE@VERSION` (a module
# whose go.mod has no replace directives, so no tools module is needed), static, trimmed and
# stripped, into .tools/bin/NAME. Used for the registry and oras of the OCI tests
# (test/support/registry.ts, test/integration/oci*.test.ts).
install_go_tool() {
  local name=$1 version=$2 pkg=$3
  shift 3
  if stamp_ok "$name" "$version"; then return; fi
  exec 9>"$bin/.$name.lock"
  flock 9
  if stamp_ok "$name" "$version"; then exec 9>&-; return; fi
  log "building $name $version from $pkg (first time only: registry about 4 min, oras 1 min, gator 5 min on 2 cores)"
  local tmp
  tmp=$(mktemp -d "$bin/.$name.XXXXXX")
  GOBIN="$tmp" go install -trimpath -ldflags="-s -w $*" "$pkg@$version"
  mv -f "$tmp/$(basename "$pkg")" "$bin/$name"
  rmdir "$tmp"
  stamp "$name" "$version"
  exec 9>&-
}

install_registry() {
  local m=github.com/distribution/distribution/v3
  # The -X flags of Distribution's Makefile, so `registry --version` reports the release.
  install_go_tool registry "$REGISTRY_VERSION" "$m/cmd/registry" \
    "-X $m/version.version=$REGISTRY_VERSION" "-X $m/version.mainpkg=$m"
}

install_oras() {
  # oras's version is in its source (internal/version.Version); the Makefile adds the tree state.
  install_go_tool oras "$ORAS_VERSION" oras.land/oras/cmd/oras \
    "-X oras.land/oras/internal/version.GitTreeState=clean"
}

# The OpenReports CRDs (openreports.io/v1alpha1 Report, ClusterReport) from the pinned Go module:
# not a tool but the source the chart's copies in charts/palisade/files/crds are checked against
# (test/chart/audit.test.ts), into .tools/reports-api/.
install_reports_api() {
  local dest="$root/.tools/reports-api"
  if [ "$(cat "$dest/.version" 2>/dev/null)" = "$REPORTS_API_VERSION" ]; then return; fi
  log "downloading github.com/openreports/reports-api $REPORTS_API_VERSION (its CRDs)"
  local dir
  dir=$(go mod download -json "github.com/openreports/reports-api@$REPORTS_API_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] && [ -d "$dir/config/crd" ] || { log "reports-api: no config/crd in the module"; exit 1; }
  rm -rf "$dest"
  mkdir -p "$dest"
  cp "$dir"/config/crd/*.yaml "$dest/"
  chmod 644 "$dest"/*.yaml
  printf '%s\n' "$REPORTS_API_VERSION" >"$dest/.version"
}

install_gator() {
  # Gatekeeper's Makefile sets the version the same way; gator reads OPA's and the constraint
  # framework's versions from its build info.
  install_go_tool gator "$GATOR_VERSION" github.com/open-policy-agent/gatekeeper/v3/cmd/gator \
    "-X github.com/open-policy-agent/gatekeeper/v3/pkg/version.Version=$GATOR_VERSION"
}

# Prometheus and promtool from one module at one version (Prometheus 3.x is tagged v0.3MM.P in Go:
# v0.316.0 is 3.16.0). Without the builtinassets tag the web UI is left out; the HTTP API the
# tests query is all there. Used by test/chart/prometheusrule.test.ts (promtool check/test rules)
# and test/integration/dashboard-queries.test.ts (a real Prometheus scraping a real Palisade).
install_prometheus() {
  local v=$PROMETHEUS_VERSION m=github.com/prometheus/prometheus
  if stamp_ok prometheus "$v" && stamp_ok promtool "$v"; then return; fi
  exec 9>"$bin/.prometheus.lock"
  flock 9
  if stamp_ok prometheus "$v" && stamp_ok promtool "$v"; then exec 9>&-; return; fi
  log "building prometheus and promtool $v (first time only: about 9 min on 2 cores)"
  local tmp n=${v#v0.}
  local release="${n:0:1}.$((10#${n:1:2})).${n##*.}"
  tmp=$(mktemp -d "$bin/.prometheus.XXXXXX")
  GOBIN="$tmp" go install -trimpath \
    -ldflags="-s -w -X github.com/prometheus/common/version.Version=$release" \
    "$m/cmd/prometheus@$v" "$m/cmd/promtool@$v"
  mv -f "$tmp/prometheus" "$bin/prometheus"
  mv -f "$tmp/promtool" "$bin/promtool"
  rmdir "$tmp"
  stamp prometheus "$v"
  stamp promtool "$v"
  exec 9>&-
}

tools=("$@")
[ ${#tools[@]} -gt 0 ] || tools=("${DEFAULT_TOOLS[@]}")
for t in "${tools[@]}"; do
  case "$t" in
    opa) install_opa ;;
    kube-apiserver) install_kube_apiserver ;;
    etcd) install_etcd ;;
    helm) install_helm helm v3 "$HELM_VERSION" ;;
    helm4) install_helm helm4 v4 "$HELM4_VERSION" ;;
    haproxy) install_haproxy ;;
    chromium) install_chromium ;;
    registry) install_registry ;;
    oras) install_oras ;;
    gator) install_gator ;;
    prometheus | promtool) install_prometheus ;;
    reports-api) install_reports_api ;;
    *) log "unknown tool: $t"; exit 2 ;;
  esac
done
