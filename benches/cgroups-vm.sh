#!/bin/sh
# The cgroup benchmark of issue 9, measured in the qemu guest of tests/vm (systemd + cgroup v2):
# `run --rm --memory 100m` latency under the systemd backend (a transient scope over D-Bus) and
# under the cgroupfs v2 backend (in a Delegate=yes service), `run --rm` with no limit for
# reference, and `stats --no-stream` over 50 running containers. Prints one BENCH line per figure.
# The guest is emulated (TCG), so compare the figures with each other, not with the host's.
#   sudo [BENCH_RUNS=15] [BENCH_CONTAINERS=50] benches/cgroups-vm.sh
set -eu
exec "$(dirname "$0")/../tests/vm/run.sh" --bench
