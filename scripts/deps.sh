#!/bin/sh
# Install the Debian packages berth and its tests need (run as root). Packages already present
# are not fetched again, so a machine set up once works offline afterwards.
set -eu
[ "$(id -u)" = 0 ] || { echo "scripts/deps.sh must run as root (it calls apt-get)" >&2; exit 1; }
want="$*"
missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null || true
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $missing
fi
command -v cargo >/dev/null 2>&1 || [ -x "$HOME/.cargo/bin/cargo" ] || {
  echo "cargo is missing: install Rust (https://rustup.rs) or Debian's cargo package" >&2; exit 1; }
