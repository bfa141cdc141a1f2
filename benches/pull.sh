#!/usr/bin/env bash
# Pull benchmark: berth vs podman (rootless, overlay) vs a raw `curl | gunzip | tar -x` baseline,
# all against the same loopback docker-registry, in the same run, cold store every time.
#
# usage (as root): benches/pull.sh [RUNS]      (default 3 runs, the median is reported)
# Images: a debootstrap-built Debian (single ~95 MB gzip layer) and the same rootfs split into 6 layers.
set -euo pipefail
RUNS=${1:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
CACHE=${BERTH_BENCH_CACHE:-/var/tmp/berth-bench}
BUSER=berthbench
PORT=${BERTH_BENCH_PORT:-5055}

[ "$(id -u)" = 0 ] || { echo "benches/pull.sh must run as root (it installs packages and creates the user $BUSER)" >&2; exit 2; }
export DEBIAN_FRONTEND=noninteractive
need=()
for p in debootstrap docker-registry podman uidmap fuse-overlayfs python3 curl; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
[ ${#need[@]} -eq 0 ] || apt-get install -y -q "${need[@]}" >/dev/null

id "$BUSER" >/dev/null 2>&1 || useradd -m -s /bin/sh "$BUSER"
grep -q "^$BUSER:" /etc/subuid || echo "$BUSER:400000:65536" >> /etc/subuid
grep -q "^$BUSER:" /etc/subgid || echo "$BUSER:400000:65536" >> /etc/subgid

(cd "$TOP" && cargo build --release -q)
BERTH="$TOP/target/release/berth"

mkdir -p "$CACHE"
if [ ! -f "$CACHE/rootfs/.complete" ]; then
  rm -rf "$CACHE/rootfs"
  # python3 brings the image to the size of a typical application base image (~95 MB gzip).
  debootstrap --variant=minbase --include=python3,perl,openssl,ca-certificates,curl bookworm "$CACHE/rootfs" \
    http://deb.debian.org/debian >"$CACHE/debootstrap.log" 2>&1
  rm -f "$CACHE"/rootfs/var/cache/apt/archives/*.deb
  touch "$CACHE/rootfs/.complete"
fi
if [ ! -f "$CACHE/single.tar.gz" ] || [ ! -f "$CACHE/layer5.tar.gz" ]; then
  # Device nodes are left out: a rootless store refuses them, as docker's rootless mode does.
  tar -C "$CACHE/rootfs" --numeric-owner --exclude='./dev/*' --exclude=./.complete -cf - . | gzip -6 > "$CACHE/single.tar.gz"
  groups=("./usr/lib" "./usr/share" "./usr/bin ./usr/sbin ./usr/libexec" "./var" "./etc" "")
  for i in 0 1 2 3 4 5; do
    if [ -n "${groups[$i]}" ]; then
      # shellcheck disable=SC2086
      tar -C "$CACHE/rootfs" --numeric-owner -cf - ${groups[$i]} | gzip -6 > "$CACHE/layer$i.tar.gz"
    else
      tar -C "$CACHE/rootfs" --numeric-owner --exclude='./dev/*' --exclude=./.complete \
        --exclude=./usr/lib --exclude=./usr/share --exclude=./usr/bin --exclude=./usr/sbin \
        --exclude=./usr/libexec --exclude=./var --exclude=./etc -cf - . | gzip -6 > "$CACHE/layer$i.tar.gz"
    fi
  done
fi

WORK=$(mktemp -d /tmp/berth-bench.XXXXXX)
chmod 755 "$WORK"
cleanup() {
  [ -n "${REG_PID:-}" ] && kill "$REG_PID" 2>/dev/null || true
  rm -rf "$WORK" 2>/dev/null || true
  pkill -u "$BUSER" 2>/dev/null || true
}
trap cleanup EXIT
cat > "$WORK/registry.yml" <<YML
version: 0.1
log: { level: error }
storage: { filesystem: { rootdirectory: $WORK/registry }, delete: { enabled: true } }
http: { addr: 127.0.0.1:$PORT }
YML
docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
REG_PID=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/v2/" >/dev/null && break; sleep 0.1; done

python3 "$HERE/push_image.py" "127.0.0.1:$PORT" bench/debian:single "$WORK/single.json" "$CACHE/single.tar.gz"
python3 "$HERE/push_image.py" "127.0.0.1:$PORT" bench/debian:layers6 "$WORK/layers6.json" "$CACHE"/layer{0,1,2,3,4,5}.tar.gz

UHOME=$(getent passwd "$BUSER" | cut -d: -f6)
URUN="$WORK/run"; mkdir -p "$URUN"; chown "$BUSER" "$URUN"; chmod 700 "$URUN"
as_user() { su -s /bin/sh "$BUSER" -c "cd /tmp && export HOME=$UHOME XDG_RUNTIME_DIR=$URUN; $1"; }
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# The floor (issue 15): max(inflating the blobs with zlib to nowhere, `tar -x` of the inflated
# layers), each measured alone, cold cache, in the same run.
mkdir -p "$WORK/inflated"
gunzip -c "$CACHE/single.tar.gz" > "$WORK/inflated/single-0.tar"
for i in 0 1 2 3 4 5; do gunzip -c "$CACHE/layer$i.tar.gz" > "$WORK/inflated/layers6-$i.tar"; done
chmod -R a+rX "$WORK/inflated" "$CACHE"
blobs_of() { if [ "$1" = single ]; then echo "$CACHE/single.tar.gz"; else echo "$CACHE"/layer{0,1,2,3,4,5}.tar.gz; fi; }

declare -A RESULT
for image in single layers6; do
  ref="127.0.0.1:$PORT/bench/debian:$image"
  digests=$(python3 -c "import json,sys; print(' '.join(json.load(open('$WORK/$image.json'))['layers']))")
  for tool in inflate untar raw berth podman; do
    times=()
    for _ in $(seq "$RUNS"); do
      store="$WORK/store-$tool"
      rm -rf "$store"
      mkdir -p "$store"; chown "$BUSER" "$store"
      sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
      case $tool in
        inflate)
          cmd="python3 -c 'import sys, zlib
for p in sys.argv[1:]:
    d = zlib.decompressobj(31)
    with open(p, \"rb\") as f:
        for chunk in iter(lambda: f.read(1 << 20), b\"\"):
            d.decompress(chunk)' $(blobs_of "$image")" ;;
        untar)
          cmd="for t in $WORK/inflated/$image-*.tar; do tar -x --no-same-owner --exclude='./dev/*' -C $store -f \$t; done" ;;
        raw)
          cmd="for d in $digests; do curl -fsS http://127.0.0.1:$PORT/v2/bench/debian/blobs/\$d | gunzip | tar -x --no-same-owner --exclude='./dev/*' -C $store; done" ;;
        berth)
          cmd="$BERTH --root $store/root --runroot $store/run pull -q $ref >/dev/null" ;;
        podman)
          cmd="podman --root $store/root --runroot $store/run --storage-driver overlay pull -q --tls-verify=false $ref >/dev/null" ;;
      esac
      t0=$(now); as_user "$cmd" >"$WORK/$tool.out" 2>&1 || { echo "$tool failed:"; cat "$WORK/$tool.out"; exit 1; }; t1=$(now)
      times+=("$(echo "$t1 - $t0" | bc -l)")
      # root removes whatever the user namespace left behind (files owned by subuids).
      rm -rf "$store"
    done
    RESULT[$image,$tool]=$(printf '%s\n' "${times[@]}" | median)
  done
done

size_single=$(du -m "$CACHE/single.tar.gz" | cut -f1)
size_six=$(cat "$CACHE"/layer?.tar.gz | wc -c | awk '{printf "%d", $1/1048576}')
printf '\nPull benchmark (%s runs, median seconds, cold store, loopback registry)\n' "$RUNS"
printf '%-20s %8s %8s %8s %8s %8s %8s %12s %12s\n' image inflate untar floor raw berth podman berth/floor podman/berth
for image in single layers6; do
  i=${RESULT[$image,inflate]} u=${RESULT[$image,untar]}
  f=$(echo "if ($i > $u) $i else $u" | bc -l)
  r=${RESULT[$image,raw]} b=${RESULT[$image,berth]} p=${RESULT[$image,podman]}
  label="$image ($([ $image = single ] && echo "${size_single}MB" || echo "${size_six}MB"))"
  printf '%-20s %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %11.2fx %11.2fx\n' "$label" "$i" "$u" "$f" "$r" "$b" "$p" \
    "$(echo "$b / $f" | bc -l)" "$(echo "$p / $b" | bc -l)"
done
printf '\nfloor = max(inflate with zlib to nowhere, tar -x of the inflated layers); raw = curl | gunzip | tar -x\n'
printf 'targets (issue 15): berth/floor <= 1.15, podman/berth >= 2\n'
