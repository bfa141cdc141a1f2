#!/bin/sh
# Build (once) the Debian bookworm guest that tests berth's systemd and cgroupfs-v2 backends for
# real: systemd as init on a pure cgroup v2 hierarchy, a user `berthvm` (uid 1000) with a
# subordinate id range and lingering, so its systemd --user instance and session bus are up at
# boot with cpu/cpuset/io/memory/pids delegated, and a boot unit that runs whatever test script a
# second disk (label BERTHRUN) brings, prints on /dev/ttyS0 and powers off.
#
# The image is cached under $BERTH_VM_CACHE (default /var/cache/berth-vm) in a directory named
# after the hash of this script: editing the package list or the guest setup below rebuilds it,
# anything else (berth, the test script) is injected per run by tests/vm/run.sh.
# Prints the cache directory (holding rootfs.img, vmlinuz, initrd.img) on its last line.
set -eu

if [ "$(id -u)" -ne 0 ]; then
    echo "build-guest.sh runs debootstrap and must run as root: sudo tests/vm/build-guest.sh" >&2
    exit 1
fi

here=$(cd "$(dirname "$0")" && pwd)
cache=${BERTH_VM_CACHE:-/var/cache/berth-vm}
key=$(sha256sum "$here/build-guest.sh" | cut -c1-16)
out="$cache/guest-$key"
say() { printf '==> %s\n' "$*" >&2; }

if [ -f "$out/done" ]; then
    echo "$out"
    exit 0
fi

mkdir -p "$cache"
# Two runs at once would debootstrap into the same directory.
exec 9>"$cache/.lock"
flock 9
if [ -f "$out/done" ]; then
    echo "$out"
    exit 0
fi

# --- host tools --------------------------------------------------------------------------------
need=""
command -v debootstrap >/dev/null || need="$need debootstrap"
command -v mkfs.ext4 >/dev/null || need="$need e2fsprogs"
command -v qemu-system-x86_64 >/dev/null || need="$need qemu-system-x86"
if [ -n "$need" ]; then
    say "installing$need"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $need >&2
fi

# The Debian mirror this host's apt already uses (deb822 URIs: or one-line deb entries), so the
# build works wherever apt-get does.
mirror=${BERTH_VM_MIRROR:-}
if [ -z "$mirror" ]; then
    mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
        awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i } /^deb / { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' |
        grep -E '/debian/?$' | head -n1 || true)
fi
mirror=${mirror:-http://deb.debian.org/debian}

# --- the root filesystem -------------------------------------------------------------------------
work="$cache/build-$key"
rm -rf "$work"
mkdir -p "$work"
root="$work/root"
trap 'rm -rf "$work"' EXIT

packages=linux-image-amd64,systemd-sysv,dbus,dbus-user-session,libpam-systemd,udev,uidmap,busybox-static,kmod,procps,hyperfine,fuse-overlayfs,e2fsprogs
say "debootstrap bookworm from $mirror into $root"
debootstrap --variant=minbase --include="$packages" bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -n 40 "$work/debootstrap.log" >&2
    echo "debootstrap failed (full log above); check that $mirror is reachable" >&2
    exit 1
}

say "configuring the guest"
echo berthvm >"$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 berthvm\n' >"$root/etc/hosts"
printf '/dev/vda / ext4 rw,relatime 0 1\n' >"$root/etc/fstab"
# A fixed machine id: an empty one makes every boot a "first boot" (presets, slower).
echo 5e0e5ba1bc0f4f6f9d6c1c2b3a4d5e6f >"$root/etc/machine-id"
echo overlay >"$root/etc/modules-load.d/berth.conf"

chroot "$root" useradd --create-home --uid 1000 --user-group --shell /bin/bash berthvm
chroot "$root" passwd --delete root >/dev/null
echo "berthvm:100000:65536" >"$root/etc/subuid"
echo "berthvm:100000:65536" >"$root/etc/subgid"
# `loginctl enable-linger berthvm`, done offline: logind starts user@1000.service at boot.
mkdir -p "$root/var/lib/systemd/linger"
touch "$root/var/lib/systemd/linger/berthvm"
# Every controller to the user's manager, as podman's rootless docs have administrators do
# (Debian's default delegates only memory and pids).
mkdir -p "$root/etc/systemd/system/user@.service.d"
cat >"$root/etc/systemd/system/user@.service.d/delegate.conf" <<'UNIT'
[Service]
Delegate=cpu cpuset io memory pids
UNIT

# The boot unit: mount the run disk, run its entry script with the serial port as output, power
# off whatever happens (FailureAction covers the launcher itself failing).
cat >"$root/usr/local/sbin/berth-vm-boot" <<'BOOT'
#!/bin/sh
exec >/dev/ttyS0 2>&1
mkdir -p /run/berth-vm
if mount -o ro LABEL=BERTHRUN /run/berth-vm; then
    echo "BERTH-VM: run disk mounted, starting $(cat /run/berth-vm/mode 2>/dev/null || echo test)"
    /bin/sh /run/berth-vm/guest-test.sh
    echo "BERTH-VM: guest script exited $?"
else
    echo "BERTH-VM: no run disk (label BERTHRUN); RESULT fail"
fi
sync
systemctl poweroff --no-block
BOOT
chmod 0755 "$root/usr/local/sbin/berth-vm-boot"
cat >"$root/etc/systemd/system/berth-vm.service" <<'UNIT'
[Unit]
Description=berth guest tests
After=multi-user.target systemd-logind.service
FailureAction=poweroff

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/berth-vm-boot
TimeoutStartSec=infinity
StandardInput=null

[Install]
WantedBy=multi-user.target
UNIT
chroot "$root" systemctl enable berth-vm.service >/dev/null 2>&1
# Nothing else should compete for the emulated CPUs or write to the console.
for u in serial-getty@ttyS0.service getty@tty1.service apt-daily.timer apt-daily-upgrade.timer \
    e2scrub_all.timer e2scrub_reap.service fstrim.timer systemd-timesyncd.service; do
    chroot "$root" systemctl mask "$u" >/dev/null 2>&1 || true
done
chroot "$root" apt-get clean
rm -rf "$root/var/lib/apt/lists/"*

# --- pack --------------------------------------------------------------------------------------
kernel=$(ls "$root"/boot/vmlinuz-* | sort -V | tail -n1)
initrd=$(ls "$root"/boot/initrd.img-* | sort -V | tail -n1)
[ -f "$kernel" ] && [ -f "$initrd" ] || {
    echo "no kernel or initrd under $root/boot: did linux-image-amd64 install?" >&2
    exit 1
}
mkdir -p "$work/out"
cp "$kernel" "$work/out/vmlinuz"
cp "$initrd" "$work/out/initrd.img"
say "packing rootfs.img"
# 3 GiB, sparse: room for the test images and containers berthvm creates during a run.
mkfs.ext4 -q -L berthroot -d "$root" "$work/out/rootfs.img" 3G
rm -rf "$out"
mv "$work/out" "$out"
touch "$out/done"
# Older builds are dead weight once their script changed.
for old in "$cache"/guest-*; do
    [ "$old" = "$out" ] || rm -rf "$old"
done
say "guest ready in $out"
echo "$out"
