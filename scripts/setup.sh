#!/bin/sh
# Set berth up on a fresh Debian 12, as root (sudo scripts/setup.sh): install what it needs,
# build it, make a small image offline from busybox-static, publish it on a loopback registry,
# pull it with berth as the invoking user, and say what to type next. Safe to run again.
set -eu

cd "$(dirname "$0")/.."
top=$(pwd)

if [ "$(id -u)" -ne 0 ]; then
    echo "setup.sh installs packages and must run as root: sudo scripts/setup.sh" >&2
    exit 1
fi

user=${SUDO_USER:-root}
port=5000

say() { printf '==> %s\n' "$*"; }

# --- packages --------------------------------------------------------------------------------
# Only what is missing is fetched, so a second run needs no network.
# passt (pasta) or slirp4netns give rootless containers their network; nftables gives root's
# containers theirs (the default bridge's NAT).
scripts/deps.sh build-essential pkg-config uidmap fuse-overlayfs busybox-static docker-registry curl ca-certificates \
    passt slirp4netns nftables
# Rootless networking opens /dev/net/tun as you: Debian makes it 0666, some hosts 0600.
if [ -c /dev/net/tun ] && [ "$(stat -c %a /dev/net/tun)" != 666 ]; then
    say "making /dev/net/tun usable by unprivileged users (chmod 666, Debian's default)"
    chmod 666 /dev/net/tun
fi

# --- build -----------------------------------------------------------------------------------
cargo=$(command -v cargo || true)
for c in "$HOME/.cargo/bin/cargo" /root/.cargo/bin/cargo "$(getent passwd "$user" | cut -d: -f6)/.cargo/bin/cargo"; do
    [ -n "$cargo" ] && break
    [ -x "$c" ] && cargo=$c
done
if [ -z "$cargo" ]; then
    echo "cargo not found: install Rust with rustup (https://rustup.rs) and run this again" >&2
    exit 1
fi
say "building berth (release)"
"$cargo" build --release
# A build as root in the user's checkout would leave root-owned files the user cannot rebuild.
owner=$(stat -c %u:%g "$top")
[ "$owner" = "0:0" ] || chown -R "$owner" "$top/target"
berth="$top/target/release/berth"

# --- the user: a subordinate id range, and a way to reach the binary ---------------------------
if [ "$user" != root ]; then
    for f in /etc/subuid /etc/subgid; do
        if ! grep -q "^$user:" "$f" 2>/dev/null; then
            # The first 65536 ids after every range already handed out.
            start=$(awk -F: 'BEGIN { m = 100000 } { if ($2 + $3 > m) m = $2 + $3 } END { print m }' "$f" 2>/dev/null || echo 100000)
            say "giving $user the subordinate ids $start-$((start + 65535)) in $f"
            echo "$user:$start:65536" >>"$f"
        fi
    done
    if ! su "$user" -s /bin/sh -c "test -x '$berth'"; then
        say "$user cannot reach $berth: installing it as /usr/local/bin/berth"
        install -m 0755 "$berth" /usr/local/bin/berth
        berth=/usr/local/bin/berth
    fi
fi

# --- a registry on 127.0.0.1:5000 (or the next free port) ----------------------------------
# Started for this run only, with its own storage in a temp dir, and stopped on exit: the image
# ends up in berth's store, tagged localhost/busybox, so nothing needs to keep running.
work=$(mktemp -d /tmp/berth-setup.XXXXXX)
registry_pid=""
cleanup() {
    [ -z "$registry_pid" ] || kill "$registry_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
while curl -s -o /dev/null "http://127.0.0.1:$port/v2/" 2>/dev/null; do
    port=$((port + 1))
done
registry="127.0.0.1:$port"
cat >"$work/registry.yml" <<CONF
version: 0.1
log: { level: warn }
storage: { filesystem: { rootdirectory: $work/registry } }
http: { addr: "$registry" }
CONF
say "starting docker-registry on $registry"
/usr/bin/docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 </dev/null &
registry_pid=$!
tries=0
until curl -fsS -o /dev/null "http://$registry/v2/" 2>/dev/null; do
    tries=$((tries + 1))
    if [ $tries -gt 100 ] || ! kill -0 "$registry_pid" 2>/dev/null; then
        echo "docker-registry did not start; its log:" >&2
        cat "$work/registry.log" >&2
        exit 1
    fi
    sleep 0.1
done

# --- an image, offline, from busybox-static --------------------------------------------------
rootfs="$work/rootfs"
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/root" "$rootfs/home/user1000"
chmod 1777 "$rootfs/tmp"
chmod 0700 "$rootfs/root"
cp /bin/busybox "$rootfs/bin/busybox"
for applet in sh ls cat echo id stat ps date sleep true false env uname hostname mkdir rm touch grep sed vi; do
    ln -sf busybox "$rootfs/bin/$applet"
done
cat >"$rootfs/etc/passwd" <<'PW'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
user1000:x:1000:1000::/home/user1000:/bin/sh
PW
cat >"$rootfs/etc/group" <<'GR'
root:x:0:
nobody:x:65534:
user1000:x:1000:
GR
chown 1000:1000 "$rootfs/home/user1000"
# Fixed times and names make the same layer (and digest) on every run.
tar --sort=name --mtime=@1700000000 --numeric-owner --format=gnu -C "$rootfs" -cf "$work/layer.tar" .
gzip -n -c "$work/layer.tar" >"$work/layer.tar.gz"

sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }
diff_id=$(sha "$work/layer.tar")
arch=$(dpkg --print-architecture)
case "$arch" in armhf) arch=arm ;; i386) arch=386 ;; esac
cat >"$work/config.json" <<CFG
{"architecture":"$arch","os":"linux","created":"2023-11-14T22:13:20Z","config":{"Env":["PATH=/bin"],"Cmd":["/bin/sh"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},"history":[{"created":"2023-11-14T22:13:20Z","created_by":"berth scripts/setup.sh from busybox-static"}]}
CFG

# Monolithic upload: POST opens a session, PUT to its Location with ?digest= completes it.
push_blob() {
    digest="sha256:$(sha "$1")"
    if curl -fs -o /dev/null -I "http://$registry/v2/busybox/blobs/$digest"; then
        return 0
    fi
    location=$(curl -fsS -X POST -D - -o /dev/null "http://$registry/v2/busybox/blobs/uploads/" |
        tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
    case "$location" in http*) ;; *) location="http://$registry$location" ;; esac
    case "$location" in *\?*) sep='&' ;; *) sep='?' ;; esac
    curl -fsS -X PUT -H "Content-Type: application/octet-stream" --data-binary "@$1" \
        "$location${sep}digest=$digest" -o /dev/null
}
push_blob "$work/layer.tar.gz"
push_blob "$work/config.json"
cat >"$work/manifest.json" <<MF
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:$(sha "$work/config.json")","size":$(size "$work/config.json")},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:$(sha "$work/layer.tar.gz")","size":$(size "$work/layer.tar.gz")}]}
MF
curl -fsS -X PUT -H "Content-Type: application/vnd.oci.image.manifest.v1+json" \
    --data-binary "@$work/manifest.json" "http://$registry/v2/busybox/manifests/latest" -o /dev/null
say "pushed $registry/busybox:latest"

# --- pull it with berth, as the user, and give it a name that outlives the registry -----------
image="$registry/busybox:latest"
as_user() {
    if [ "$user" = root ]; then
        "$berth" "$@"
    else
        # su gives the user their own HOME (sudo would keep root's).
        (cd / && su "$user" -s /bin/sh -c '"$0" "$@"' -- "$berth" "$@")
    fi
}
as_user pull "$image"
as_user tag "$image" localhost/busybox:latest
say "running a container from it as $user"
as_user run --rm localhost/busybox:latest sh -c 'echo "hello from a berth container: $(id -un) in $(hostname), PID $$"'

case "$berth" in "$top"/*) shown=${berth#"$top"/} ;; *) shown=$berth ;; esac
cat <<NEXT

berth is built, and localhost/busybox:latest (made from busybox-static) is in $user's store.
Next, as $user:

    $shown run --rm -it localhost/busybox sh
    $shown run -d --name sleeper localhost/busybox sleep 1000
    $shown ps
    $shown stop sleeper && $shown rm sleeper
    $shown images
    $shown info

Run the tests with:  sudo scripts/test.sh
NEXT
