#!/bin/sh
# The whole test suite, as CI runs it (.ci/run), as root (sudo scripts/test.sh): install what
# the tests need, then formatting, clippy, unit tests and the integration tests, which run the
# real berth as an unprivileged user against loopback registries. Exits non-zero on any failure.
set -eu

cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
    echo "the integration tests create test users and need root: sudo scripts/test.sh" >&2
    exit 1
fi

# docker-registry, busybox-static: the test registries and images; uidmap: newuidmap for the
# rootless store; fuse-overlayfs: a storage driver; podman, skopeo: the tools berth is measured
# against; iproute2: the non-loopback address for the plain-HTTP tests; curl: the harness's own
# checks of the registries; passwd: useradd for the test users; runc: the --runtime tests;
# openssl: keys and signatures for the token-auth registry; bsdutils: `script` for terminal
# tests; util-linux: flock; passt (pasta), slirp4netns: the rootless network backends;
# nftables: NAT and isolation of root's bridge networks; qemu-system-x86, debootstrap, e2fsprogs:
# the systemd + cgroup v2 guest of tests/vm.
scripts/deps.sh build-essential pkg-config docker-registry busybox-static uidmap fuse-overlayfs \
    podman skopeo curl iproute2 passwd ca-certificates runc openssl bsdutils util-linux \
    passt slirp4netns nftables qemu-system-x86 debootstrap e2fsprogs

if ! command -v cargo >/dev/null 2>&1; then
    for c in "$HOME/.cargo/bin" /root/.cargo/bin "$(getent passwd "${SUDO_USER:-root}" | cut -d: -f6)/.cargo/bin"; do
        if [ -x "$c/cargo" ]; then
            PATH="$c:$PATH"
            export PATH
            break
        fi
    done
fi
command -v cargo >/dev/null 2>&1 || { echo "cargo not found: install Rust with rustup" >&2; exit 1; }

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets -- -D warnings

step "cargo test --all-targets"
cargo test --all-targets

# The systemd and cgroupfs-v2 cgroup backends, for real, in a Debian guest under qemu (this host
# has neither); the guest image is built once and cached.
step "tests/vm/run.sh (systemd + cgroup v2 guest)"
BERTH_VM_BERTH="$PWD/target/debug/berth" tests/vm/run.sh

step "all tests passed"
