#!/bin/sh
# Test berth's systemd and cgroupfs-v2 cgroup backends for real: build (or reuse) the Debian guest
# of tests/vm/build-guest.sh, put a freshly built berth and tests/vm/guest-test.sh on a small
# second disk, boot the guest under qemu (TCG; BERTH_VM_ACCEL=kvm where nested KVM works), and read the
# results from its serial console. Exits 0 only when the guest printed `RESULT ok` with no FAIL;
# a guest that does not power off within $BERTH_VM_TIMEOUT seconds (default 600) is killed and
# counts as a failure.
#
#   tests/vm/run.sh            the checks
#   tests/vm/run.sh --bench    the benchmark (run --rm latency under systemd vs cgroupfs,
#                              stats --no-stream over 50 containers); prints BENCH lines
# Environment: BERTH_VM_CACHE (image cache), BERTH_VM_TIMEOUT, BERTH_VM_BERTH (a berth binary to
# test instead of building target/release/berth), BERTH_VM_LOG (keep the serial log there),
# BERTH_VM_GUEST_SCRIPT (another guest script, for debugging), BERTH_VM_ACCEL (tcg, the default, or kvm); for --bench, BENCH_RUNS (default 15) and
# BENCH_CONTAINERS (default 50).
set -eu

mode=test
case "${1:-}" in
"") ;;
--bench) mode=bench ;;
*)
    echo "run.sh: unknown argument '$1' (use no argument, or --bench)" >&2
    exit 2
    ;;
esac
if [ "$(id -u)" -ne 0 ]; then
    echo "run.sh builds a guest image and must run as root: sudo tests/vm/run.sh" >&2
    exit 1
fi

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
timeout=${BERTH_VM_TIMEOUT:-600}
say() { printf '==> %s\n' "$*" >&2; }
started=$(date +%s)

guest=$("$here/build-guest.sh" | tail -n1)
say "guest image: $guest ($(($(date +%s) - started)) s)"

berth=${BERTH_VM_BERTH:-}
if [ -z "$berth" ]; then
    say "building berth (release)"
    (cd "$top" && cargo build --release --quiet)
    berth="$top/target/release/berth"
fi

work=$(mktemp -d /tmp/berth-vm.XXXXXX)
qemu_pid=""
cleanup() {
    [ -z "$qemu_pid" ] || kill "$qemu_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The run disk: everything that changes between runs, so the cached image never does.
mkdir "$work/disk"
cp "$berth" "$work/disk/berth"
cp "${BERTH_VM_GUEST_SCRIPT:-$here/guest-test.sh}" "$work/disk/guest-test.sh"
echo "$mode" >"$work/disk/mode"
env | grep -E '^BENCH_(RUNS|CONTAINERS)=[0-9]+$' >"$work/disk/env" || true
size=$(du -sm "$work/disk" | cut -f1)
# ext4 needs room for its journal and metadata beside the files.
mkfs.ext4 -q -L BERTHRUN -d "$work/disk" "$work/run.img" "$((size + size / 4 + 32))M"

# TCG by default: /dev/kvm exists on some nested hosts (this one included) where a KVM guest
# hangs in the kernel's early boot, which a probe cannot tell from slowness.
accel=${BERTH_VM_ACCEL:-tcg}
cpu=max
[ "$accel" = kvm ] && cpu=host,-arch-capabilities

log=${BERTH_VM_LOG:-$work/serial.log}
: >"$log"
say "booting the guest ($accel, timeout ${timeout} s), mode $mode"
# snapshot=on: the guest's writes (berth's store, the journal) go to a temporary overlay, so
# every run boots the same pristine image.
qemu-system-x86_64 -accel "$accel" -cpu "$cpu" -m 2G -smp 2 \
    -kernel "$guest/vmlinuz" -initrd "$guest/initrd.img" \
    -append "root=/dev/vda rw console=ttyS0 quiet systemd.unified_cgroup_hierarchy=1 systemd.show_status=0" \
    -drive "file=$guest/rootfs.img,if=virtio,format=raw,snapshot=on" \
    -drive "file=$work/run.img,if=virtio,format=raw,readonly=on" \
    -nic none -display none -monitor none -serial "file:$log" -no-reboot </dev/null &
qemu_pid=$!

timed_out=0
deadline=$(($(date +%s) + timeout))
shown=0
while kill -0 "$qemu_pid" 2>/dev/null; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
        timed_out=1
        kill "$qemu_pid" 2>/dev/null || true
        break
    fi
    # Progress: the result lines as they arrive.
    lines=$(wc -l <"$log")
    if [ "$lines" -gt "$shown" ]; then
        sed -n "$((shown + 1)),${lines}p" "$log" | tr -d '\r' | grep -E '^(PASS|FAIL|BENCH|INFO|RESULT|BERTH-VM|guest:)' >&2 || true
        shown=$lines
    fi
    sleep 1
done
wait "$qemu_pid" 2>/dev/null || true
qemu_pid=""
lines=$(wc -l <"$log")
[ "$lines" -le "$shown" ] || sed -n "$((shown + 1)),${lines}p" "$log" | tr -d '\r' | grep -E '^(PASS|FAIL|BENCH|INFO|RESULT|BERTH-VM|guest:)' >&2 || true

results=$(tr -d '\r' <"$log")
elapsed=$(($(date +%s) - started))
fails=$(printf '%s\n' "$results" | grep -c '^FAIL' || true)
passes=$(printf '%s\n' "$results" | grep -c '^PASS' || true)
if [ "$timed_out" = 1 ]; then
    echo "run.sh: the guest did not finish within $timeout s; last lines of its console:" >&2
    printf '%s\n' "$results" | tail -n 30 >&2
    exit 1
fi
if ! printf '%s\n' "$results" | grep -q '^RESULT '; then
    echo "run.sh: the guest powered off without a RESULT line; last lines of its console:" >&2
    printf '%s\n' "$results" | tail -n 30 >&2
    exit 1
fi
say "$passes passed, $fails failed, $elapsed s in all"
if [ "$fails" -gt 0 ] || ! printf '%s\n' "$results" | grep -q '^RESULT ok$'; then
    exit 1
fi
