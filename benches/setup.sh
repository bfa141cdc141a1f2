# Shared setup for the container benchmarks (sourced by run.sh and net.sh): as root, install
# what they need (plus $EXTRA_PKGS), create the unprivileged user $BUSER with a subuid range,
# build berth (release), publish an offline busybox image on a loopback registry, and pull it
# into a private berth store and a private podman store.
#
# Expects BUSER, PORT, HERE and TOP; sets WORK, BERTH, ROOTFS, IMG, UHOME, URUN, B and P (the
# berth and podman command lines with their stores) and defines as_user and an EXIT trap.
# usage: bench_setup NAME   (NAME: the calling script's, for messages and the work dir)
bench_setup() {
  [ "$(id -u)" = 0 ] || { echo "benches/$1.sh must run as root (it installs packages and creates the user $BUSER)" >&2; exit 2; }
  export DEBIAN_FRONTEND=noninteractive
  need=()
  for p in docker-registry podman runc uidmap busybox-static hyperfine python3 curl jq ${EXTRA_PKGS:-}; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
  done
  [ ${#need[@]} -eq 0 ] || apt-get install -y -q "${need[@]}" >/dev/null

  id "$BUSER" >/dev/null 2>&1 || useradd -m -s /bin/sh "$BUSER"
  grep -q "^$BUSER:" /etc/subuid || echo "$BUSER:400000:65536" >> /etc/subuid
  grep -q "^$BUSER:" /etc/subgid || echo "$BUSER:400000:65536" >> /etc/subgid

  (cd "$TOP" && cargo build --release -q)
  WORK=$(mktemp -d "/tmp/berth-$1bench.XXXXXX")
  chmod 755 "$WORK"
  install -m 0755 "${CARGO_TARGET_DIR:-$TOP/target}/release/berth" "$WORK/berth"
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
}
