#!/usr/bin/env bash
# Name lookup latency between two containers on a user network: berth (its per-network DNS
# responder) vs rootless podman (netavark + aardvark-dns), in the same run, as the same
# unprivileged user. Inside a running client container, a loop of N `nslookup web-app`;
# each tool's per-lookup time is (time of the N-loop - time of the same exec with 0 lookups) / N,
# both measured by hyperfine, so the exec's own cost drops out.
#
# usage (as root): benches/netdns.sh [LOOKUPS] [RUNS]     (default 200 lookups, 10 runs)
set -euo pipefail
N=${1:-200}
RUNS=${2:-10}
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
BUSER=berthbench
PORT=${BERTH_BENCH_PORT:-5057}

[ "$(id -u)" = 0 ] || { echo "benches/netdns.sh must run as root (it installs packages and creates the user $BUSER)" >&2; exit 2; }
export DEBIAN_FRONTEND=noninteractive
need=()
for p in docker-registry podman runc uidmap busybox-static hyperfine python3 curl jq passt; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
[ ${#need[@]} -eq 0 ] || apt-get install -y -q "${need[@]}" >/dev/null

id "$BUSER" >/dev/null 2>&1 || useradd -m -s /bin/sh "$BUSER"
grep -q "^$BUSER:" /etc/subuid || echo "$BUSER:400000:65536" >> /etc/subuid
grep -q "^$BUSER:" /etc/subgid || echo "$BUSER:400000:65536" >> /etc/subgid
# berth's rootless network namespace reaches out through pasta, which needs /dev/net/tun.
chmod 666 /dev/net/tun

(cd "$TOP" && cargo build --release -q)
WORK=$(mktemp -d /tmp/berth-dnsbench.XXXXXX)
chmod 755 "$WORK"
install -m 0755 "$TOP/target/release/berth" "$WORK/berth"
BERTH="$WORK/berth"
cleanup() {
  set +e
  if [ -n "${B:-}" ]; then
    as_user "$B rm -f web-app client >/dev/null 2>&1; $B network rm benchnet >/dev/null 2>&1"
  fi
  if [ -n "${P:-}" ] && [ "${PODMAN_OK:-0}" = 1 ]; then
    as_user "$P rm -f -t 0 web-app client >/dev/null 2>&1; $P network rm benchnet >/dev/null 2>&1"
  fi
  # podman's rootless pause process (it holds podman's user namespace) outlives its commands.
  [ -n "${URUN:-}" ] && [ -f "$URUN/libpod/tmp/pause.pid" ] && kill "$(cat "$URUN/libpod/tmp/pause.pid")" 2>/dev/null
  [ -n "${REG_PID:-}" ] && kill "$REG_PID" 2>/dev/null
  rm -rf "$WORK" 2>/dev/null
}
trap cleanup EXIT

# A busybox image with nslookup and httpd, made offline, on a loopback registry.
ROOTFS="$WORK/rootfs"
mkdir -p "$ROOTFS/bin" "$ROOTFS/etc" "$ROOTFS/tmp" "$ROOTFS/proc" "$ROOTFS/dev" "$ROOTFS/sys" "$ROOTFS/root"
cp /bin/busybox "$ROOTFS/bin/busybox"
for a in sh true ls cat sleep nslookup httpd; do ln -s busybox "$ROOTFS/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$ROOTFS/etc/passwd"
printf 'root:x:0:\n' > "$ROOTFS/etc/group"
: > "$ROOTFS/etc/hosts"; : > "$ROOTFS/etc/hostname"; : > "$ROOTFS/etc/resolv.conf"
tar --sort=name --mtime=@1700000000 --numeric-owner -C "$ROOTFS" -cf - . | gzip -n > "$WORK/layer.tar.gz"
cat > "$WORK/registry.yml" <<YML
version: 0.1
log: { level: error }
storage: { filesystem: { rootdirectory: $WORK/registry } }
http: { addr: 127.0.0.1:$PORT }
YML
docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
REG_PID=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/v2/" >/dev/null && break; sleep 0.1; done
python3 "$HERE/push_image.py" "127.0.0.1:$PORT" bench/busybox:latest "$WORK/config.json" "$WORK/layer.tar.gz" >/dev/null
IMG="127.0.0.1:$PORT/bench/busybox:latest"

UHOME=$(getent passwd "$BUSER" | cut -d: -f6)
URUN="$WORK/xdg-run"; mkdir -p "$URUN"; chown "$BUSER" "$URUN"; chmod 700 "$URUN"
# podman's network backend: netavark with aardvark-dns (Debian ships them in /usr/lib/podman).
printf '[network]\nnetwork_backend = "netavark"\n' > "$WORK/containers.conf"
as_user() { su -s /bin/sh "$BUSER" -c "cd /tmp && export HOME=$UHOME XDG_RUNTIME_DIR=$URUN CONTAINERS_CONF=$WORK/containers.conf PATH=/usr/sbin:/usr/bin:/sbin:/bin; $1"; }
BSTORE="$WORK/berth-store"; PSTORE="$WORK/podman-store"
mkdir -p "$BSTORE" "$PSTORE"; chown "$BUSER" "$BSTORE" "$PSTORE"
B="$BERTH --root $BSTORE/root --runroot $URUN/berth"
P="podman --root $PSTORE/root --runroot $URUN/podman --storage-driver overlay --cgroup-manager cgroupfs --events-backend file --runtime runc"

LOOP='i=0; while [ $i -lt $0 ]; do nslookup web-app >/dev/null || exit 1; i=$((i+1)); done'
setup() { # TOOL-COMMAND
  as_user "$1 network create benchnet >/dev/null" &&
  as_user "$1 run -d --name web-app --network benchnet $IMG httpd -f -p 80 >/dev/null" &&
  as_user "$1 run -d --name client --network benchnet $IMG sleep 600 >/dev/null" &&
  as_user "$1 exec client sh -c '$LOOP' 3"
}
as_user "$B pull -q $IMG >/dev/null"
setup "$B" || { echo "berth cannot resolve web-app from client" >&2; exit 1; }
PODMAN_OK=0
PODMAN_WHY=""
if [ ! -x /usr/lib/podman/netavark ] || [ ! -x /usr/lib/podman/aardvark-dns ]; then
  PODMAN_WHY="netavark/aardvark-dns are not installed"
elif ! as_user "$P pull -q --tls-verify=false $IMG >/dev/null" 2>"$WORK/podman.err"; then
  PODMAN_WHY="podman cannot pull: $(tail -1 "$WORK/podman.err")"
elif ! setup "$P" 2>"$WORK/podman.err"; then
  PODMAN_WHY="podman cannot resolve between containers: $(tail -1 "$WORK/podman.err")"
else
  PODMAN_OK=1
fi

OUT="$WORK/out"; mkdir -p "$OUT"; chown "$BUSER" "$OUT"
cmds=(-n berth-0 "$B exec client sh -c '$LOOP' 0" -n "berth-$N" "$B exec client sh -c '$LOOP' $N")
if [ "$PODMAN_OK" = 1 ]; then
  cmds+=(-n podman-0 "$P exec client sh -c '$LOOP' 0" -n "podman-$N" "$P exec client sh -c '$LOOP' $N")
fi
args=""
for c in "${cmds[@]}"; do args+=" $(printf '%q' "$c")"; done
as_user "hyperfine -N --warmup 1 --runs $RUNS --export-json $OUT/times.json $args" >"$WORK/hyperfine.out" 2>&1 \
  || { cat "$WORK/hyperfine.out"; exit 1; }

stat_of() { jq -r --arg n "$1" ".results[] | select(.command == \$n) | $2" "$OUT/times.json"; }
per() { awk -v a="$(stat_of "$1-$N" .median)" -v b="$(stat_of "$1-0" .median)" -v n="$N" 'BEGIN { printf "%.3f", (a - b) * 1000 / n }'; }
printf '\nName lookup between two containers on a user network (%s lookups per exec, %s runs, medians)\n' "$N" "$RUNS"
printf '%-8s %14s %14s %12s\n' "" "exec 0 (ms)" "exec $N (ms)" "per lookup"
for t in berth podman; do
  [ "$t" = podman ] && [ "$PODMAN_OK" != 1 ] && { printf 'podman: not measured (%s)\n' "$PODMAN_WHY"; continue; }
  printf '%-8s %14.1f %14.1f %9s ms\n' "$t" "$(awk -v s="$(stat_of "$t-0" .median)" 'BEGIN{print s*1000}')" \
    "$(awk -v s="$(stat_of "$t-$N" .median)" 'BEGIN{print s*1000}')" "$(per "$t")"
done
