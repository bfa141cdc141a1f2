#!/usr/bin/env bash
# Container start benchmark: `run --rm --network none IMAGE true`, 30 times each, for berth and
# for rootless podman (Debian's, with runc: crun refuses this host's hybrid cgroups), and the
# floor `unshare -Urmpf chroot ROOTFS /bin/true`, all as the same unprivileged user in the same
# run. Also the resident memory of berth's monitor next to podman's conmon, per running
# container, and `exec CONTAINER true` for both.
#
# usage (as root): benches/run.sh [RUNS]     (default 30)
set -euo pipefail
RUNS=${1:-30}
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
BUSER=berthbench
PORT=${BERTH_BENCH_PORT:-5056}

# shellcheck source=benches/setup.sh
. "$HERE/setup.sh"
bench_setup run
as_user "$B run --rm --network none $IMG true" || { echo "berth cannot run the image" >&2; exit 1; }
as_user "$P run --rm --network none $IMG true" 2>/dev/null || { echo "podman cannot run the image" >&2; exit 1; }

OUT="$WORK/out"; mkdir -p "$OUT"; chown "$BUSER" "$OUT"
as_user "hyperfine -N --warmup 3 --runs $RUNS --export-json $OUT/times.json \
  -n floor 'unshare -Urmpf chroot $ROOTFS /bin/true' \
  -n berth '$B run --rm --network none $IMG true' \
  -n podman '$P run --rm --network none $IMG true'" >"$WORK/hyperfine.out" 2>&1 \
  || { cat "$WORK/hyperfine.out"; exit 1; }

stat_of() { jq -r --arg n "$1" ".results[] | select(.command == \$n) | $2" "$OUT/times.json"; }
ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }
printf '\nContainer start (%s runs each, same machine, same run; milliseconds)\n' "$RUNS"
printf '%-8s %8s %8s %8s %8s\n' "" median min max stddev
for n in floor berth podman; do
  printf '%-8s %8s %8s %8s %8s\n' "$n" "$(ms "$(stat_of $n .median)")" "$(ms "$(stat_of $n .min)")" \
    "$(ms "$(stat_of $n .max)")" "$(ms "$(stat_of $n .stddev)")"
done
bm=$(stat_of berth .median); pm=$(stat_of podman .median)
printf 'podman / berth: %.1fx   (targets: berth median <= 10 ms, podman/berth >= 20x)\n' \
  "$(awk -v p="$pm" -v b="$bm" 'BEGIN { print p / b }')"

# Memory of the process that watches each running container.
as_user "$B run -d --name rss $IMG sleep 600 >/dev/null"
as_user "$P run -d --name rss --network none $IMG sleep 600 >/dev/null" 2>/dev/null
sleep 2
mon=$(jq -r .monitor_pid "$BSTORE"/root/containers/*/state.json)
conmon=$(pgrep -u "$BUSER" -x conmon | head -1)
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
pss() { awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup"; }
printf '\nPer-container monitor memory (kB): berth monitor RSS %s (PSS %s), conmon RSS %s (PSS %s)\n' \
  "$(rss "$mon")" "$(pss "$mon")" "$(rss "$conmon")" "$(pss "$conmon")"

# exec into a running container: berth (joiner, sealed shim, pipes relayed) and podman (conmon,
# runc exec), in the same hyperfine run.
as_user "hyperfine -N --warmup 3 --runs $RUNS --export-json $OUT/exec.json \
  -n berth-exec '$B exec rss true' \
  -n podman-exec '$P exec rss true'" >"$WORK/hyperfine-exec.out" 2>&1 \
  || { cat "$WORK/hyperfine-exec.out"; exit 1; }
exec_of() { jq -r --arg n "$1" ".results[] | select(.command == \$n) | $2" "$OUT/exec.json"; }
printf '\nexec CONTAINER true (%s runs each; milliseconds)\n' "$RUNS"
printf '%-12s %8s %8s %8s %8s\n' "" median min max stddev
for n in berth-exec podman-exec; do
  printf '%-12s %8s %8s %8s %8s\n' "$n" "$(ms "$(exec_of $n .median)")" "$(ms "$(exec_of $n .min)")" \
    "$(ms "$(exec_of $n .max)")" "$(ms "$(exec_of $n .stddev)")"
done

as_user "$B rm -f rss >/dev/null"
as_user "$P rm -f -t 0 rss >/dev/null" 2>/dev/null
