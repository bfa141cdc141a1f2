#!/usr/bin/env bash
# Networking benchmark, berth next to rootless podman in the same run, as the same unprivileged
# user (setup shared with run.sh, in setup.sh):
#   1. `run --rm IMAGE true` latency with each tool's default rootless network (berth: the
#      default bridge network in the per-user network namespace, reached through one shared
#      pasta that persists between containers; Debian's podman 4.3: slirp4netns, detected
#      below), RUNS times each with hyperfine, with `--network none`, berth's own pasta per
#      container (`--network pasta`, berth's default before) and berth/slirp4netns alongside;
#   2. TCP throughput container -> host: an iperf3 server on the host's loopback, the client in
#      the container (the host's iperf3 and its libraries bound read-only into the busybox
#      image) talking to host.containers.internal, for berth/pasta, berth/slirp4netns and
#      podman/slirp4netns (which must be told allow_host_loopback=true: its default refuses
#      the host's loopback; and podman 4.3 names the host by its LAN address, so it is given
#      slirp's 10.0.2.2 directly).
#
# usage (as root): benches/net.sh [RUNS] [SECONDS]     (defaults 30 runs, 10 s of iperf3)
set -euo pipefail
RUNS=${1:-30}
SECS=${2:-10}
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
BUSER=berthbench
PORT=${BERTH_BENCH_PORT:-5057}
IPORT=${BERTH_BENCH_IPERF_PORT:-5202}
EXTRA_PKGS="iperf3 passt slirp4netns"

# shellcheck source=benches/setup.sh
. "$HERE/setup.sh"
bench_setup net
# pasta and slirp4netns open the tun device inside the container's user namespace.
[ -c /dev/net/tun ] && chmod 666 /dev/net/tun

as_user "$B run --rm $IMG true" || { echo "berth cannot run the image on its default network" >&2; exit 1; }
as_user "$B run --rm --network pasta $IMG true" || { echo "berth cannot run the image with pasta" >&2; exit 1; }
as_user "$P run --rm $IMG true" 2>/dev/null || { echo "podman cannot run the image" >&2; exit 1; }

# Which backend podman uses by default: the helper process its container runs with.
as_user "$P run -d --name probe $IMG sleep 60 >/dev/null" 2>/dev/null
PNET=$(as_user "$P inspect --format '{{.HostConfig.NetworkMode}}' probe" 2>/dev/null || echo unknown)
as_user "$P rm -f -t 0 probe >/dev/null" 2>/dev/null
echo "podman $(podman --version | awk '{print $3}') default rootless network: $PNET"

OUT="$WORK/out"; mkdir -p "$OUT"; chown "$BUSER" "$OUT"
as_user "hyperfine -N --warmup 3 --runs $RUNS --export-json $OUT/times.json \
  -n berth-none '$B run --rm --network none $IMG true' \
  -n berth-default '$B run --rm $IMG true' \
  -n berth-pasta '$B run --rm --network pasta $IMG true' \
  -n berth-slirp '$B run --rm --network slirp4netns $IMG true' \
  -n podman-none '$P run --rm --network none $IMG true' \
  -n podman-default '$P run --rm $IMG true'" >"$WORK/hyperfine.out" 2>&1 \
  || { cat "$WORK/hyperfine.out"; exit 1; }

stat_of() { jq -r --arg n "$1" ".results[] | select(.command == \$n) | $2" "$OUT/times.json"; }
ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }
printf '\n`run --rm IMAGE true` (%s runs each, same machine, same run; milliseconds)\n' "$RUNS"
printf '%-15s %8s %8s %8s %8s\n' "" median min max stddev
for n in berth-none berth-default berth-pasta berth-slirp podman-none podman-default; do
  printf '%-15s %8s %8s %8s %8s\n' "$n" "$(ms "$(stat_of $n .median)")" "$(ms "$(stat_of $n .min)")" \
    "$(ms "$(stat_of $n .max)")" "$(ms "$(stat_of $n .stddev)")"
done
printf '(berth-default is the default bridge network via the shared pasta; berth-pasta is a pasta per container, --network pasta; podman-default is %s; target: berth-default median <= 40 ms)\n' "$PNET"

# The host's iperf3 in the busybox image: the binary and the (merged-/usr) library dirs.
IPERF="-v /usr/bin/iperf3:/usr/bin/iperf3:ro -v /usr/lib/x86_64-linux-gnu:/lib/x86_64-linux-gnu:ro -v /usr/lib64:/lib64:ro"
throughput() { # NAME HOST-ADDRESS TOOL-AND-NETWORK...: Gbit/s received by the host's server
  local name=$1 addr=$2; shift 2
  iperf3 -s -1 -B 127.0.0.1 -p "$IPORT" >"$OUT/$name.server" 2>&1 &
  local server=$!
  for _ in $(seq 50); do ss -ltn "sport = :$IPORT" | grep -q LISTEN && break; sleep 0.1; done
  as_user "$* --rm $IPERF $IMG /usr/bin/iperf3 -J -t $SECS -c $addr -p $IPORT" \
    >"$OUT/$name.json" 2>"$OUT/$name.err" || { echo "$name: iperf3 failed:" >&2; cat "$OUT/$name.err" "$OUT/$name.json" >&2; kill "$server" 2>/dev/null; return 1; }
  # The server ends after its one test; a client that never reached it must not hang the run.
  { sleep 10; kill "$server" 2>/dev/null; } &
  wait "$server" || true
  jq -r '.end.sum_received.bits_per_second / 1e9 | . * 100 | round / 100' "$OUT/$name.json"
}
printf '\nTCP throughput container -> host loopback, iperf3 -t %s (Gbit/s)\n' "$SECS"
printf '%-26s %s\n' "berth/default (bridge)" "$(throughput berth-default host.containers.internal "$B run")"
printf '%-26s %s\n' berth/pasta "$(throughput berth-pasta host.containers.internal "$B run --network pasta")"
printf '%-26s %s\n' berth/slirp4netns "$(throughput berth-slirp host.containers.internal "$B run --network slirp4netns")"
printf '%-26s %s\n' "podman/$PNET" "$(throughput podman 10.0.2.2 "$P run --network slirp4netns:allow_host_loopback=true")"
