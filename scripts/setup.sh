#!/bin/sh
# README command 1: install what berth needs, build it, make a small image offline from Debian's
# busybox-static, publish it on a loopback registry, pull it with berth as you, say what's next.
set -eu
cd "$(dirname "$0")/.."
TOP=$(pwd)
[ "$(id -u)" = 0 ] || { echo "run it with sudo: sudo scripts/setup.sh" >&2; exit 1; }
scripts/deps.sh build-essential pkg-config uidmap fuse-overlayfs busybox-static docker-registry python3 curl ca-certificates
PATH="$HOME/.cargo/bin:$PATH"
cargo build --release
BERTH="$TOP/target/release/berth"

USER_NAME=${SUDO_USER:-root}
if [ "$USER_NAME" != root ]; then
  for f in /etc/subuid /etc/subgid; do
    grep -q "^$USER_NAME:" "$f" || usermod --add-subuids 100000-165535 --add-subgids 100000-165535 "$USER_NAME"
  done
  # The binary must be reachable by the user.
  d="$TOP/target/release"; while [ "$d" != / ]; do chmod o+x "$d" 2>/dev/null || true; d=$(dirname "$d"); done
fi

WORK=$(mktemp -d /tmp/berth-setup.XXXXXX)
trap 'kill "$REG" 2>/dev/null || true; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/rootfs/bin" "$WORK/rootfs/etc" "$WORK/rootfs/tmp" "$WORK/rootfs/root"
cp /bin/busybox "$WORK/rootfs/bin/busybox"
for app in sh ls cat echo id ps date sleep env uname hostname; do ln -sf busybox "$WORK/rootfs/bin/$app"; done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$WORK/rootfs/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\n' > "$WORK/rootfs/etc/group"
chmod 1777 "$WORK/rootfs/tmp"
tar -C "$WORK/rootfs" --numeric-owner --owner=0 --group=0 -czf "$WORK/layer.tar.gz" .

PORT=5000
while curl -fs "http://127.0.0.1:$PORT/v2/" >/dev/null 2>&1; do PORT=$((PORT + 1)); done
printf 'version: 0.1\nlog: { level: error }\nstorage: { filesystem: { rootdirectory: %s/registry } }\nhttp: { addr: 127.0.0.1:%s }\n' "$WORK" "$PORT" > "$WORK/registry.yml"
docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
REG=$!
i=0; until curl -fs "http://127.0.0.1:$PORT/v2/" >/dev/null 2>&1; do i=$((i + 1)); [ $i -lt 100 ] || { cat "$WORK/registry.log"; exit 1; }; sleep 0.1; done
python3 benches/push_image.py "127.0.0.1:$PORT" busybox:latest "$WORK/pushed.json" "$WORK/layer.tar.gz"

if [ "$USER_NAME" = root ]; then
  "$BERTH" pull "127.0.0.1:$PORT/busybox:latest"
  "$BERTH" tag "127.0.0.1:$PORT/busybox:latest" localhost/busybox:latest
else
  su "$USER_NAME" -s /bin/sh -c "cd /tmp && '$BERTH' pull 127.0.0.1:$PORT/busybox:latest && '$BERTH' tag 127.0.0.1:$PORT/busybox:latest localhost/busybox:latest"
fi

cat <<MSG

berth is built and localhost/busybox:latest is in $USER_NAME's store. Next, as $USER_NAME:

  $BERTH images
  $BERTH image inspect localhost/busybox
  $BERTH info

(The loopback registry used for this pull has been stopped.)
MSG
