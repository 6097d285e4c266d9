#!/usr/bin/env bash
# A throwaway Kubernetes control plane for the cluster tests, built from source and run on loopback.
#
#   scripts/control-plane.sh build   build kube-apiserver, kube-controller-manager, kube-scheduler and kine
#                                    from the Go module proxy into the cache (skipped when already there)
#   scripts/control-plane.sh up      start them on 127.0.0.1 with certificates made here; prints the kubeconfig
#   scripts/control-plane.sh down    stop what `up` started (by PID) and delete its certificates, state and logs
#   scripts/control-plane.sh env     print `export EDGEPIPE_CLUSTER_KUBECONFIG=...` for a running control plane
#
# Storage is kine (k3s's etcd shim) over SQLite on a unix socket. There is no kubelet: Nodes are
# objects the tests register, so pods are scheduled and bound but never run.
#
# Environment: EDGEPIPE_K8S_CACHE (build cache, default ~/.cache/edgepipe/k8s),
# EDGEPIPE_K8S_RUN (state of a running control plane, default /tmp/edgepipe-control-plane),
# EDGEPIPE_K8S_PORT (API server port, default: the first free one from 36443).
set -euo pipefail

K8S_VERSION=1.34.4   # the newest 1.34 release on the proxy; 1.35+ needs sigs.k8s.io/structured-merge-diff/v7
KINE_VERSION=0.17.5
HERE="$(cd "$(dirname "$0")" && pwd)"
CACHE="${EDGEPIPE_K8S_CACHE:-$HOME/.cache/edgepipe/k8s}/v$K8S_VERSION-kine$KINE_VERSION"
BIN="$CACHE/bin"
RUN="${EDGEPIPE_K8S_RUN:-/tmp/edgepipe-control-plane}"
COMPONENTS=(kube-apiserver kube-controller-manager kube-scheduler)

log() { echo "control-plane: $*" >&2; }
die() { log "$*"; exit 1; }

built() {
  for b in "${COMPONENTS[@]}" kine; do [ -x "$BIN/$b" ] || return 1; done
}

build() {
  if built; then
    log "cached build in $BIN"
    return
  fi
  command -v go >/dev/null || die "go is not installed (the build needs Go 1.24 or newer)"
  mkdir -p "$CACHE/src" "$BIN"
  # go.mod pins k8s.io/kubernetes and points every staging module at its matching v0.X.Y release,
  # as a project importing k8s.io/kubernetes must; go.sum pins every module's hash.
  cp "$HERE/control-plane/go.mod" "$HERE/control-plane/go.sum" "$CACHE/src/"
  local start=$SECONDS
  log "building Kubernetes v$K8S_VERSION (${COMPONENTS[*]}) into $BIN (first build: tens of minutes on 2 cores)"
  (cd "$CACHE/src" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$BIN/" \
    "${COMPONENTS[@]/#/k8s.io/kubernetes/cmd/}")
  log "building kine v$KINE_VERSION"
  # cgo: kine's SQLite driver is then the C library (compiles faster than the pure-Go translation)
  (cd "$CACHE/src" && GOBIN="$BIN" GOFLAGS=-mod=mod go install -trimpath -ldflags='-s -w' \
    "github.com/k3s-io/kine@v$KINE_VERSION")
  log "built in $((SECONDS - start)) s"
}

free_port() {
  local port=${EDGEPIPE_K8S_PORT:-36443}
  while ss -Hltn "sport = :$port" | grep -q .; do
    [ -z "${EDGEPIPE_K8S_PORT:-}" ] || die "port $port is taken (EDGEPIPE_K8S_PORT)"
    port=$((port + 1))
  done
  echo "$port"
}

# cert NAME CN [O] [SAN]: a key and a certificate signed by the CA, in $RUN/pki
cert() {
  local name=$1 cn=$2 org=${3:-} san=${4:-}
  local subj="/CN=$cn"
  [ -z "$org" ] || subj="/O=$org$subj"
  openssl req -new -newkey rsa:2048 -nodes -keyout "$RUN/pki/$name.key" -subj "$subj" -out "$RUN/pki/$name.csr" 2>/dev/null
  local ext="$RUN/pki/$name.ext"
  if [ -n "$san" ]; then
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$san" >"$ext"
  else
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' >"$ext"
  fi
  openssl x509 -req -in "$RUN/pki/$name.csr" -CA "$RUN/pki/ca.crt" -CAkey "$RUN/pki/ca.key" -CAcreateserial \
    -days 2 -extfile "$ext" -out "$RUN/pki/$name.crt" 2>/dev/null
  rm -f "$RUN/pki/$name.csr" "$ext"
}

# kubeconfig NAME: a kubeconfig that authenticates with the client certificate NAME
kubeconfig() {
  local name=$1 port=$2
  cat >"$RUN/$name.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: edgepipe-control-plane
  cluster:
    server: https://127.0.0.1:$port
    certificate-authority: $RUN/pki/ca.crt
users:
- name: $name
  user:
    client-certificate: $RUN/pki/$name.crt
    client-key: $RUN/pki/$name.key
contexts:
- name: edgepipe-control-plane
  context: {cluster: edgepipe-control-plane, user: $name}
current-context: edgepipe-control-plane
EOF
}

make_pki() {
  mkdir -p "$RUN/pki"
  openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$RUN/pki/ca.key" -subj "/CN=edgepipe-control-plane-ca" \
    -days 2 -out "$RUN/pki/ca.crt" 2>/dev/null
  cert apiserver kube-apiserver "" "IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc"
  cert admin edgepipe-admin system:masters
  cert controller-manager system:kube-controller-manager
  cert scheduler system:kube-scheduler
  openssl genrsa -out "$RUN/pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$RUN/pki/sa.key" -pubout -out "$RUN/pki/sa.pub" 2>/dev/null
}

# start NAME ARGS...: runs a binary in the background, logging to $RUN/logs, its PID in $RUN/pids
start() {
  local name=$1
  shift
  "$BIN/$name" "$@" >"$RUN/logs/$name.log" 2>&1 &
  echo $! >"$RUN/pids/$name.pid"
}

# alive NAME: the process `up` started as NAME still runs (a PID reused by another program does not count)
alive() {
  local file="$RUN/pids/$1.pid" pid
  [ -f "$file" ] || return 1
  pid=$(cat "$file")
  [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$BIN/$1" ]
}

# wait_for NAME SECONDS CHECK...: until CHECK succeeds; fails with the log's tail when NAME dies or time runs out
wait_for() {
  local name=$1 limit=$2
  shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if ! alive "$name" || [ $SECONDS -ge $deadline ]; then
      tail -n 20 "$RUN/logs/$name.log" >&2 || true
      down
      die "$name did not come up within $limit s (its log is above)"
    fi
    sleep 1
  done
}

api_ok() {
  curl -sf --cacert "$RUN/pki/ca.crt" --cert "$RUN/pki/admin.crt" --key "$RUN/pki/admin.key" \
    "https://127.0.0.1:$1$2"
}

up() {
  built || die "no build in $BIN: run $0 build first"
  if [ -d "$RUN/pids" ]; then
    for name in kine "${COMPONENTS[@]}"; do
      ! alive "$name" || die "a control plane is already up in $RUN (run $0 down first)"
    done
    log "removing the remains of a control plane that is no longer running"
    rm -rf "$RUN"
  fi
  command -v openssl >/dev/null || die "openssl is needed to make the certificates"
  mkdir -p "$RUN/logs" "$RUN/pids" "$RUN/state"
  local port
  port=$(free_port)
  make_pki
  for name in admin controller-manager scheduler; do kubeconfig "$name" "$port"; done

  start kine --endpoint "sqlite://$RUN/state/state.db?_journal=WAL&cache=shared&_busy_timeout=30000" \
    --listen-address "unix://$RUN/kine.sock" --metrics-bind-address 0
  wait_for kine 90 test -S "$RUN/kine.sock"

  # privileged containers are allowed, as k3s allows them: the namespace's Pod Security level decides
  # loopback only; the endpoint reconciler would publish 127.0.0.1 as the kubernetes Service's
  # endpoint, which validation refuses, so it is off (nothing in the cluster calls that Service)
  start kube-apiserver --bind-address=127.0.0.1 --secure-port="$port" --advertise-address=127.0.0.1 \
    --endpoint-reconciler-type=none --etcd-servers="unix://$RUN/kine.sock" \
    --cert-dir="$RUN/pki" --tls-cert-file="$RUN/pki/apiserver.crt" --tls-private-key-file="$RUN/pki/apiserver.key" \
    --client-ca-file="$RUN/pki/ca.crt" --authorization-mode=Node,RBAC --allow-privileged=true \
    --service-cluster-ip-range=10.96.0.0/24 --service-account-issuer=https://kubernetes.default.svc \
    --service-account-key-file="$RUN/pki/sa.pub" --service-account-signing-key-file="$RUN/pki/sa.key" \
    --profiling=false --enable-priority-and-fairness=false
  wait_for kube-apiserver 120 api_ok "$port" /readyz

  start kube-controller-manager --kubeconfig="$RUN/controller-manager.kubeconfig" \
    --authentication-kubeconfig="$RUN/controller-manager.kubeconfig" \
    --authorization-kubeconfig="$RUN/controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port=0 --leader-elect=false --use-service-account-credentials=true \
    --service-account-private-key-file="$RUN/pki/sa.key" --root-ca-file="$RUN/pki/ca.crt" \
    --controllers='*,-nodelifecycle,-nodeipam' --profiling=false
  # nodelifecycle is off: with no kubelet it would taint the test's Nodes unreachable and evict their pods
  start kube-scheduler --kubeconfig="$RUN/scheduler.kubeconfig" \
    --authentication-kubeconfig="$RUN/scheduler.kubeconfig" --authorization-kubeconfig="$RUN/scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port=0 --leader-elect=false --profiling=false
  # the controller manager is working once it created the default namespace's service account
  wait_for kube-controller-manager 60 api_ok "$port" /api/v1/namespaces/default/serviceaccounts/default
  sleep 1
  alive kube-scheduler || { tail -n 20 "$RUN/logs/kube-scheduler.log" >&2; down; die "kube-scheduler exited"; }
  log "up on https://127.0.0.1:$port (Kubernetes v$K8S_VERSION, kine over SQLite); logs in $RUN/logs"
  echo "export EDGEPIPE_CLUSTER_KUBECONFIG=$RUN/admin.kubeconfig"
}

down() {
  if [ -d "$RUN/pids" ]; then
    # reverse start order; SIGTERM, then SIGKILL whatever is still there after 10 s
    for name in kube-scheduler kube-controller-manager kube-apiserver kine; do
      alive "$name" || continue
      local pid
      pid=$(cat "$RUN/pids/$name.pid")
      kill "$pid" 2>/dev/null || continue
      for _ in $(seq 50); do alive "$name" || break; sleep 0.2; done
      ! alive "$name" || kill -9 "$pid" 2>/dev/null || true
    done
  fi
  rm -rf "$RUN"
  log "down; removed $RUN"
}

case "${1:-}" in
  build) build ;;
  up) up ;;
  down) down ;;
  env)
    [ -d "$RUN/pids" ] || die "no control plane is up (run $0 up)"
    echo "export EDGEPIPE_CLUSTER_KUBECONFIG=$RUN/admin.kubeconfig"
    ;;
  *) echo "usage: $0 build|up|down|env" >&2; exit 2 ;;
esac
