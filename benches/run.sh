#!/usr/bin/env bash
# Container start benchmark: `run --rm --network none IMAGE true`, 30 times each, for berth and
# for rootless podman (Debian's, with runc: crun refuses this host's hybrid cgroups), and the
# floor `unshare -Urmpf chroot ROOTFS /bin/true`, all as the same unprivileged user in the same
# run. Also the resident memory of berth's monitor next to podman's conmon, per running
# container.
#
# usage (as root): benches/run.sh [RUNS]     (default 30)
set -euo pipefail
RUNS=${1:-30}
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
BUSER=berthbench
PORT=${BERTH_BENCH_PORT:-5056}

[ "$(id -u)" = 0 ] || { echo "benches/run.sh must run as root (it installs packages and creates the user $BUSER)" >&2; exit 2; }
export DEBIAN_FRONTEND=noninteractive
need=()
for p in docker-registry podman runc uidmap busybox-static hyperfine python3 curl jq; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
[ ${#need[@]} -eq 0 ] || apt-get install -y -q "${need[@]}" >/dev/null

id "$BUSER" >/dev/null 2>&1 || useradd -m -s /bin/sh "$BUSER"
grep -q "^$BUSER:" /etc/subuid || echo "$BUSER:400000:65536" >> /etc/subuid
grep -q "^$BUSER:" /etc/subgid || echo "$BUSER:400000:65536" >> /etc/subgid

(cd "$TOP" && cargo build --release -q)
WORK=$(mktemp -d /tmp/berth-runbench.XXXXXX)
chmod 755 "$WORK"
install -m 0755 "$TOP/target/release/berth" "$WORK/berth"
BERTH="$WORK/berth"
cleanup() {
  pkill -u "$BUSER" 2>/dev/null || true
  [ -n "${REG_PID:-}" ] && kill "$REG_PID" 2>/dev/null || true
  rm -rf "$WORK" 2>/dev/null || true
}
trap cleanup EXIT

# A busybox image, made offline, on a loopback registry.
# Laid out as docker's busybox image is: the mount points and /etc files a runtime binds exist.
ROOTFS="$WORK/rootfs"
mkdir -p "$ROOTFS/bin" "$ROOTFS/etc" "$ROOTFS/tmp" "$ROOTFS/proc" "$ROOTFS/dev" "$ROOTFS/sys" "$ROOTFS/root"
cp /bin/busybox "$ROOTFS/bin/busybox"
for a in sh true ls cat sleep; do ln -s busybox "$ROOTFS/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$ROOTFS/etc/passwd"
printf 'root:x:0:\n' > "$ROOTFS/etc/group"
: > "$ROOTFS/etc/hosts"; : > "$ROOTFS/etc/hostname"; : > "$ROOTFS/etc/resolv.conf"
tar --sort=name --mtime=@1700000000 --numeric-owner -C "$ROOTFS" -cf - . | gzip -n > "$WORK/layer.tar.gz"
chown -R "$BUSER" "$ROOTFS"
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
as_user() { su -s /bin/sh "$BUSER" -c "cd /tmp && export HOME=$UHOME XDG_RUNTIME_DIR=$URUN PATH=/usr/sbin:/usr/bin:/sbin:/bin; $1"; }
BSTORE="$WORK/berth-store"; PSTORE="$WORK/podman-store"
mkdir -p "$BSTORE" "$PSTORE"; chown "$BUSER" "$BSTORE" "$PSTORE"
B="$BERTH --root $BSTORE/root --runroot $URUN/berth"
P="podman --root $PSTORE/root --runroot $URUN/podman --storage-driver overlay --cgroup-manager cgroupfs --events-backend file --runtime runc"
as_user "$B pull -q $IMG >/dev/null"
as_user "$P pull -q --tls-verify=false $IMG >/dev/null"
as_user "$B run --rm --network none $IMG true" || { echo "berth cannot run the image" >&2; exit 1; }
as_user "$P run --rm --network none $IMG true" 2>/dev/null || { echo "podman cannot run the image" >&2; exit 1; }

OUT="$WORK/out"; mkdir -p "$OUT"; chown "$BUSER" "$OUT"
as_user "hyperfine -N --warmup 3 --runs $RUNS --export-json $OUT/times.json \
  -n floor 'unshare -Urmpf chroot $ROOTFS /bin/true' \
  -n berth '$B run --rm --network none $IMG true' \
  -n podman '$P run --rm --network none $IMG true'" >"$WORK/hyperfine.out" 2>&1 \
  || { cat "$WORK/hyperfine.out"; exit 1; }

stat_of() { jq -r --arg n "$1" ".results[] | select(.command == \$n) | $2" "$OUT/times.json"; }
ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }
printf '\nContainer start (%s runs each, same machine, same run; milliseconds)\n' "$RUNS"
printf '%-8s %8s %8s %8s %8s\n' "" median min max stddev
for n in floor berth podman; do
  printf '%-8s %8s %8s %8s %8s\n' "$n" "$(ms "$(stat_of $n .median)")" "$(ms "$(stat_of $n .min)")" \
    "$(ms "$(stat_of $n .max)")" "$(ms "$(stat_of $n .stddev)")"
done
bm=$(stat_of berth .median); pm=$(stat_of podman .median)
printf 'podman / berth: %.1fx   (targets: berth median <= 10 ms, podman/berth >= 20x)\n' \
  "$(awk -v p="$pm" -v b="$bm" 'BEGIN { print p / b }')"

# Memory of the process that watches each running container.
as_user "$B run -d --name rss $IMG sleep 600 >/dev/null"
as_user "$P run -d --name rss --network none $IMG sleep 600 >/dev/null" 2>/dev/null
sleep 2
mon=$(jq -r .monitor_pid "$BSTORE"/root/containers/*/state.json)
conmon=$(pgrep -u "$BUSER" -x conmon | head -1)
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
pss() { awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup"; }
printf '\nPer-container monitor memory (kB): berth monitor RSS %s (PSS %s), conmon RSS %s (PSS %s)\n' \
  "$(rss "$mon")" "$(pss "$mon")" "$(rss "$conmon")" "$(pss "$conmon")"
as_user "$B rm -f rss >/dev/null"
as_user "$P rm -f -t 0 rss >/dev/null" 2>/dev/null
