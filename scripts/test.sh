#!/bin/sh
# README command 2 (and CI's): install what the tests need, then formatting, lints, unit and
# integration tests. The integration tests create unprivileged users, so this runs as root.
set -eu
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "run it with sudo: sudo scripts/test.sh" >&2; exit 1; }
scripts/deps.sh build-essential pkg-config uidmap fuse-overlayfs busybox-static docker-registry python3 curl ca-certificates
PATH="$HOME/.cargo/bin:$PATH"
cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo test --all-targets
