#!/usr/bin/env bash
# A throwaway single-node Kubernetes control plane (etcd + kube-apiserver, nothing else) on
# loopback, for testing Palisade's admission webhook against the real API server.
#
#   scripts/cluster.sh up      build/reuse the binaries, start etcd and kube-apiserver, wait
#                              until ready; prints the kubeconfig path (reuses a running cluster)
#   scripts/cluster.sh down    stop both processes and delete the cluster's data (idempotent)
#   scripts/cluster.sh status  say whether it is running; exit 0 if it is, 1 if not
#
# Everything lives in .tools/cluster/: pki/ (certificates, kept across runs), etcd-data/,
# *.pid, *.log, cluster.env (ports and URLs) and kubeconfig (admin, system:masters).
#
# Only the API server runs: no kube-controller-manager, no scheduler, no kubelet. Pods are
# stored but never scheduled; Deployments never get ReplicaSets; ServiceAccount tokens are not
# minted; deleted namespaces stay Terminating forever. The ServiceAccount admission plugin is
# disabled so a Pod can be created in a fresh namespace without a "default" ServiceAccount.
# Webhooks must be registered with clientConfig.url (https://127.0.0.1:PORT/...), since there
# are no Service endpoints to route clientConfig.service to. See docs/development.md.
#
# Environment: CLUSTER_READY_TIMEOUT (seconds, default 120) bounds every wait.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="$root/.tools/bin"
dir="$root/.tools/cluster"
pki="$dir/pki"
data="$dir/etcd-data"
kubeconfig="$dir/kubeconfig"
envfile="$dir/cluster.env"
timeout_s=${CLUSTER_READY_TIMEOUT:-120}
stop_timeout_s=20

log() { printf 'cluster: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# alive NAME: true while the process in NAME.pid exists (a zombie, exited but not yet reaped,
# counts as gone).
alive() {
  local pid
  pid=$(cat "$dir/$1.pid" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  local state
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# pid_of NAME: prints the pid in NAME.pid if that process is alive and is our .tools/bin/NAME
# (guards against a stale pid file whose pid has been reused by an unrelated process).
pid_of() {
  alive "$1" || return 1
  local pid
  pid=$(cat "$dir/$1.pid")
  [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$bin/$1" ] || return 1
  printf '%s\n' "$pid"
}

kctl() { kubectl --kubeconfig "$kubeconfig" --request-timeout=5s "$@"; }

show_logs() {
  local f
  for f in etcd kube-apiserver; do
    [ -f "$dir/$f.log" ] || continue
    log "last lines of $dir/$f.log:"
    tail -n 25 "$dir/$f.log" >&2
  done
}

# wait_for DESCRIPTION COMMAND...: polls COMMAND until it succeeds, for at most $timeout_s
# seconds; fails (with the logs) as soon as etcd or kube-apiserver, once started, has exited.
wait_for() {
  local what=$1 deadline=$((SECONDS + timeout_s)) p
  shift
  until "$@" >/dev/null 2>&1; do
    for p in etcd kube-apiserver; do
      if [ -f "$dir/$p.pid" ] && ! alive "$p"; then
        show_logs
        die "$p exited while waiting for $what"
      fi
    done
    if [ $SECONDS -ge $deadline ]; then
      show_logs
      die "timed out after ${timeout_s}s waiting for $what"
    fi
    sleep 0.5
  done
}

# free_ports N: prints N distinct TCP ports that nothing on this host is using, picked below
# the kernel's ephemeral range so outgoing connections cannot take them in the meantime.
free_ports() {
  local n=$1 lo used port picked=()
  read -r lo _ </proc/sys/net/ipv4/ip_local_port_range
  [ "$lo" -gt 12000 ] || lo=32768
  used=" "
  while read -r port; do
    used+="$((16#$port)) "
  done < <(awk 'FNR > 1 { n = split($2, a, ":"); print a[n] }' /proc/net/tcp /proc/net/tcp6 2>/dev/null)
  while [ ${#picked[@]} -lt "$n" ]; do
    port=$((10000 + RANDOM % (lo - 10000)))
    [[ $used == *" $port "* ]] && continue
    used+="$port "
    picked+=("$port")
  done
  echo "${picked[@]}"
}

# gen_cert NAME SUBJECT EXTENSIONS: key + certificate signed by the local CA.
gen_cert() {
  local name=$1 subj=$2 ext=$3
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$pki/$name.key" -subj "$subj" -out "$pki/$name.csr" 2>/dev/null
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
    -CAcreateserial -days 365 -sha256 -extfile <(printf '%s\n' "$ext") \
    -out "$pki/$name.crt" 2>/dev/null
  rm -f "$pki/$name.csr"
}

# Certificates are generated once and reused until they are within 7 days of expiring.
ensure_pki() {
  local f
  for f in ca.crt ca.key apiserver.crt apiserver.key admin.crt admin.key sa.key sa.pub; do
    [ -s "$pki/$f" ] || { make_pki; return; }
  done
  for f in ca apiserver admin; do
    openssl x509 -checkend $((7 * 86400)) -noout -in "$pki/$f.crt" >/dev/null || { make_pki; return; }
  done
}

make_pki() {
  log "generating certificates in $pki"
  rm -rf "$pki"
  mkdir -p "$pki"
  chmod 700 "$pki"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 -sha256 \
    -keyout "$pki/ca.key" -out "$pki/ca.crt" -subj "/CN=palisade-local-ca" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  gen_cert apiserver "/CN=kube-apiserver" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost,IP:10.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  gen_cert admin "/O=system:masters/CN=palisade-admin" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
  # Service-account token signing key pair (RS256).
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$pki/sa.key" 2>/dev/null
  openssl pkey -in "$pki/sa.key" -pubout -out "$pki/sa.pub"
  chmod 600 "$pki"/*.key
}

write_kubeconfig() {
  local server=$1 tmp="$kubeconfig.tmp"
  rm -f "$tmp"
  kubectl config --kubeconfig "$tmp" set-cluster palisade --server "$server" \
    --certificate-authority "$pki/ca.crt" --embed-certs >/dev/null
  kubectl config --kubeconfig "$tmp" set-credentials palisade-admin \
    --client-certificate "$pki/admin.crt" --client-key "$pki/admin.key" --embed-certs >/dev/null
  kubectl config --kubeconfig "$tmp" set-context palisade --cluster palisade \
    --user palisade-admin >/dev/null
  kubectl config --kubeconfig "$tmp" use-context palisade >/dev/null
  chmod 600 "$tmp"
  mv -f "$tmp" "$kubeconfig"
}

# start NAME ARGS...: runs .tools/bin/NAME in its own session, detached from this shell, with
# its output in NAME.log and its pid in NAME.pid (written by the process itself before exec).
start() {
  local name=$1
  shift
  [ ! -f "$dir/$name.log" ] || mv -f "$dir/$name.log" "$dir/$name.log.prev"
  # shellcheck disable=SC2016 # $$, $1 and $@ belong to the inner bash.
  setsid bash -c 'echo $$ >"$1.tmp" && mv -f "$1.tmp" "$1" && shift && exec "$@"' _ "$dir/$name.pid" "$bin/$name" "$@" \
    </dev/null >"$dir/$name.log" 2>&1 &
  wait_for "$name to start" pid_of "$name"
}

etcd_healthy() {
  curl -fsS --max-time 2 "http://127.0.0.1:$1/health" | grep -q '"health":"true"'
}

cmd_up() {
  local p
  for p in kubectl openssl curl setsid; do
    command -v "$p" >/dev/null || die "$p is required"
  done
  "$root/scripts/tools.sh" kube-apiserver etcd
  mkdir -p "$dir"

  if pid_of etcd >/dev/null && pid_of kube-apiserver >/dev/null && [ -s "$kubeconfig" ]; then
    wait_for "kube-apiserver /readyz" kctl get --raw /readyz
    log "already running; reusing it"
    echo "$kubeconfig"
    return
  fi
  if pid_of etcd >/dev/null || pid_of kube-apiserver >/dev/null; then
    log "half-running cluster found; restarting it"
  fi
  cmd_down 2>/dev/null
  # A failed start leaves nothing running (the logs stay for inspection).
  trap 'log "up failed; stopping what was started (logs kept in $dir)"; cmd_down' EXIT

  ensure_pki
  local ports etcd_port peer_port api_port
  ports=$(free_ports 3)
  read -r etcd_port peer_port api_port <<<"$ports"
  local server="https://127.0.0.1:$api_port"
  cat >"$envfile" <<EOF
# Written by scripts/cluster.sh up; removed by down.
KUBECONFIG=$kubeconfig
KUBE_APISERVER_URL=$server
ETCD_URL=http://127.0.0.1:$etcd_port
EOF

  log "starting etcd on 127.0.0.1:$etcd_port (peer $peer_port)"
  # Plain HTTP on loopback only; --unsafe-no-fsync because the data is thrown away anyway.
  start etcd \
    --name=palisade \
    --data-dir="$data" \
    --listen-client-urls="http://127.0.0.1:$etcd_port" \
    --advertise-client-urls="http://127.0.0.1:$etcd_port" \
    --listen-peer-urls="http://127.0.0.1:$peer_port" \
    --initial-advertise-peer-urls="http://127.0.0.1:$peer_port" \
    --initial-cluster="palisade=http://127.0.0.1:$peer_port" \
    --initial-cluster-state=new \
    --unsafe-no-fsync \
    --log-level=warn
  wait_for "etcd /health" etcd_healthy "$etcd_port"

  log "starting kube-apiserver on $server"
  start kube-apiserver \
    --bind-address=127.0.0.1 \
    --advertise-address=127.0.0.1 \
    --secure-port="$api_port" \
    --tls-cert-file="$pki/apiserver.crt" \
    --tls-private-key-file="$pki/apiserver.key" \
    --client-ca-file="$pki/ca.crt" \
    --etcd-servers="http://127.0.0.1:$etcd_port" \
    --service-account-issuer="$server" \
    --service-account-key-file="$pki/sa.pub" \
    --service-account-signing-key-file="$pki/sa.key" \
    --authorization-mode=RBAC \
    --service-cluster-ip-range=10.0.0.0/24 \
    --enable-admission-plugins=PodSecurity,ValidatingAdmissionWebhook,MutatingAdmissionWebhook \
    --disable-admission-plugins=ServiceAccount \
    --allow-privileged=true \
    --endpoint-reconciler-type=none \
    --profiling=false
  write_kubeconfig "$server"

  wait_for "kube-apiserver /readyz" kctl get --raw /readyz
  wait_for "the default namespace" kctl get namespace default
  trap - EXIT
  log "ready: kubectl --kubeconfig $kubeconfig ..."
  echo "$kubeconfig"
}

# stop NAME: TERM, then KILL after $stop_timeout_s seconds.
stop() {
  local name=$1 pid deadline
  if pid=$(pid_of "$name"); then
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + stop_timeout_s))
    while pid_of "$name" >/dev/null; do
      if [ $SECONDS -ge $deadline ]; then
        log "$name did not exit after ${stop_timeout_s}s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.2
    done
  fi
  rm -f "$dir/$name.pid"
}

cmd_down() {
  # The API server first, so it does not spend its last seconds retrying a dead etcd.
  stop kube-apiserver
  stop etcd
  rm -rf "$data" "$kubeconfig" "$kubeconfig.tmp" "$envfile"
}

cmd_status() {
  local p pid running=0
  for p in etcd kube-apiserver; do
    if pid=$(pid_of "$p"); then
      echo "$p: running (pid $pid)"
      running=$((running + 1))
    else
      echo "$p: stopped"
    fi
  done
  if [ $running -eq 2 ] && kctl get --raw /readyz >/dev/null 2>&1; then
    echo "cluster: ready; $(grep '^KUBE_APISERVER_URL=' "$envfile" | cut -d= -f2-)"
    echo "kubeconfig: $kubeconfig"
    return 0
  fi
  echo "cluster: not running"
  return 1
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 up|down|status" >&2
    exit 2
    ;;
esac
