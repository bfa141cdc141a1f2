#!/bin/sh
# Runs inside the guest that tests/vm/build-guest.sh makes, started at boot by berth-vm.service
# from the run disk that tests/vm/run.sh injects (berth, this script, a `mode` file).
#
# As root (no argument): install berth, wait for berthvm's systemd --user and its bus, build a
# busybox image tarball, then run the checks as berthvm inside a transient service of berthvm's
# own systemd (`systemd-run --user`) so berth starts where a user's berth starts on a systemd
# host: inside user@1000.service, with a session bus. Every check prints `PASS name` or
# `FAIL name: detail`; the last line is `RESULT ok` or `RESULT fail`.
# With mode `bench` the user part measures instead of checking and prints `BENCH` lines.
set -u

user=berthvm
uid=1000
lib=/usr/local/lib/berth-vm
img=localhost/busybox
runtime_dir=/run/user/$uid
export XDG_RUNTIME_DIR=$runtime_dir DBUS_SESSION_BUS_ADDRESS=unix:path=$runtime_dir/bus

failed=0
pass() { echo "PASS $1"; }
fail() {
    echo "FAIL $1: $2"
    failed=1
}
# expect NAME WANT GOT: equal strings, else a FAIL showing both.
expect() {
    if [ "$3" = "$2" ]; then pass "$1"; else fail "$1" "want '$2', got '$(echo "$3" | head -c 400 | tr '\n' '|')'"; fi
}
# expect_match NAME PATTERN GOT: GOT contains the extended regex PATTERN.
expect_match() {
    if printf '%s\n' "$3" | grep -Eq -- "$2"; then pass "$1"; else fail "$1" "no /$2/ in '$(echo "$3" | head -c 400 | tr '\n' '|')'"; fi
}
# A container's cgroup as the guest's root sees it: /sys/fs/cgroup + the 0:: line of its init.
cgroup_dir() {
    pid=$(berth inspect --format '{{.State.Pid}}' "$1" 2>/dev/null)
    path=$(sed -n 's/^0:://p' "/proc/$pid/cgroup" 2>/dev/null)
    [ -n "$path" ] && echo "/sys/fs/cgroup$path"
}
# gone NAME DIR: the cgroup DIR a container had is gone (and it had one).
gone() {
    if [ -z "$2" ]; then
        fail "$1" "the container had no cgroup to check"
    elif [ -e "$2" ]; then
        fail "$1" "$2 is still there"
    else
        pass "$1"
    fi
}
# monitor_in NAME DIR CONTAINER: the cgroup DIR holds CONTAINER's monitor (a berth process) besides
# the container's own process, so that it outlives the container's last process.
monitor_in() {
    cpid=$(berth inspect --format '{{.State.Pid}}' "$3" 2>/dev/null)
    others=""
    for p in $(cat "$2/cgroup.procs" 2>/dev/null); do
        [ "$p" = "$cpid" ] || others="$others $(cat "/proc/$p/comm" 2>/dev/null)"
    done
    expect "$1" " berth" "$others"
}
info() { echo "INFO $*"; }
# The guest has no pasta or slirp4netns (berth's rootless network backends), and these checks
# are about cgroups: every container runs with --network none.
berth() {
    if [ "${1:-}" = run ]; then
        shift
        command berth run --network none "$@"
    else
        command berth "$@"
    fi
}
finish() {
    if [ "$failed" = 0 ]; then echo "RESULT ok"; else echo "RESULT fail"; fi
    exit "$failed"
}

# --- as berthvm, under the systemd backend (the default with a user bus) -------------------------
user_test() {
    cd "$HOME" || exit 1
    out=$(berth import --change 'ENV PATH=/bin' --change 'CMD ["/bin/sh"]' "$lib/busybox.tar" "$img" 2>&1)
    expect_match import '^sha256:|^[0-9a-f]{12}' "$out"

    info=$(berth info --format '{{json .}}' 2>&1)
    expect_match info-cgroup-v2 '"cgroupVersion":"v2"' "$info"
    expect_match info-manager-systemd '"cgroupManager":"systemd"' "$info"

    expect run-plain hello "$(berth run --rm $img echo hello 2>&1)"

    expect memory-max-inside 104857600 "$(berth run --rm --memory 100m $img cat /sys/fs/cgroup/memory.max 2>&1)"
    expect cpu-max-inside "50000 100000" "$(berth run --rm --cpus .5 $img cat /sys/fs/cgroup/cpu.max 2>&1)"
    expect pids-max-inside 64 "$(berth run --rm --pids-limit 64 $img cat /sys/fs/cgroup/pids.max 2>&1)"

    # A long-running container: where systemd put it, and what its limits are from outside.
    out=$(berth run -d --name lim --memory 100m --cpus .5 --pids-limit 64 $img sleep 600 2>&1)
    expect_match run-detached '^[0-9a-f]{64}$' "$out"
    id=$(berth inspect --format '{{.Id}}' lim 2>/dev/null)
    dir=$(cgroup_dir lim)
    expect_match scope-under-user-manager "/user@$uid\.service/.*\.scope" "$dir"
    expect_match scope-named-berth 'berth' "${dir#/sys/fs/cgroup/user.slice/user-$uid.slice/user@$uid.service}"
    scope=$(printf '%s\n' "$dir" | tr '/' '\n' | grep '\.scope$' | tail -n1)
    units=$(systemctl --user list-units --type scope --no-legend --plain 2>&1)
    expect_match scope-known-to-systemd "^${scope:-no-scope} +loaded +active" "$units"
    # The limits may sit on the scope or on a child cgroup of it; the tightest ancestor counts.
    mem=$(cat "$dir/memory.max" 2>&1)
    expect memory-max-outside 104857600 "$mem"
    expect cpu-max-outside "50000 100000" "$(cat "$dir/cpu.max" 2>&1)"
    expect pids-max-outside 64 "$(cat "$dir/pids.max" 2>&1)"

    expect_match inspect-manager-systemd '"CgroupManager": *"systemd"' "$(berth inspect lim 2>&1)"

    stats=$(berth stats --no-stream 2>&1)
    expect_match stats-row "^[0-9a-f]{12} +lim +" "$stats"
    expect_match stats-mem-limit '/ *100(\.0)? ?MiB' "$stats"
    stats=$(berth stats --no-stream --format '{{.Name}} {{.PIDs}}' lim 2>&1)
    expect stats-format "lim 1" "$stats"

    out=$(berth update --memory 200m lim 2>&1)
    expect update-exit "0 lim" "$? $out"
    expect update-memory-max 209715200 "$(cat "$dir/memory.max" 2>&1)"
    expect update-inspect 209715200 "$(berth inspect --format '{{.HostConfig.Memory}}' lim 2>&1)"

    out=$(berth exec lim cat /proc/self/cgroup 2>&1)
    expect exec-same-cgroup "0::/" "$out"
    monitor_in monitor-in-scope "$dir" lim

    berth rm -f lim >/dev/null 2>&1
    gone rm-removes-cgroup "$dir"
    units=$(systemctl --user list-units --all --no-legend --plain 2>&1)
    if [ -z "$scope" ]; then
        fail rm-removes-scope "the container had no scope to check"
    elif printf '%s\n' "$units" | grep -q "^$scope "; then
        fail rm-removes-scope "$scope still listed: $(printf '%s\n' "$units" | grep "^$scope ")"
    else
        pass rm-removes-scope
    fi

    # The seeds' OOM demo: allocate 300m under a 100m limit (tail keeps all of an endless line).
    berth run --name oom --memory 100m $img sh -c 'head -c 300m /dev/zero | tail' >/dev/null 2>&1
    expect oom-exit-137 137 "$?"
    expect oom-inspect true "$(berth inspect --format '{{.State.OOMKilled}}' oom 2>&1)"
    expect_match oom-event 'container oom' "$(berth events --since 30m --until 0s --filter container=oom 2>&1 | head -n 20)"
    berth rm -f oom >/dev/null 2>&1

    # A restarted container goes back into the scope its monitor kept.
    berth run -d --name rs --restart always $img sleep 600 >/dev/null 2>&1
    dir1=$(cgroup_dir rs)
    kill -9 "$(berth inspect --format '{{.State.Pid}}' rs 2>/dev/null)" 2>/dev/null
    n=0
    while [ "$n" -lt 300 ]; do
        [ "$(berth inspect --format '{{.RestartCount}} {{.State.Status}}' rs 2>/dev/null)" = "1 running" ] && break
        sleep 0.1
        n=$((n + 1))
    done
    expect restart-count "1 running" "$(berth inspect --format '{{.RestartCount}} {{.State.Status}}' rs 2>&1)"
    expect restart-same-scope "${dir1:-no-cgroup}" "$(cgroup_dir rs)"
    berth rm -f rs >/dev/null 2>&1
    gone restart-rm-removes-scope "$dir1"

    # The cgroupfs v2 backend in a subtree systemd delegated to a service of berthvm's.
    out=$(systemd-run --user --wait --pipe --quiet --collect -p Delegate=yes \
        sh "$lib/guest-test.sh" user-cgroupfs 2>&1)
    echo "$out"
    printf '%s\n' "$out" | grep -q '^FAIL' && failed=1
    printf '%s\n' "$out" | grep -q '^PASS cgroupfs-done' || fail cgroupfs-ran "the delegated service printed no PASS cgroupfs-done"

    # berth-vm-* is this harness's own service.
    # berth-vm-* is this harness's own service; berth.slice is systemd's, shared by every
    # container like podman's user.slice, and may stay (empty).
    left=$(find /sys/fs/cgroup/user.slice/user-$uid.slice/user@$uid.service -name '*berth*' \
        ! -name 'berth-vm-*' ! -name berth.slice 2>/dev/null)
    expect no-cgroup-leak "" "$left"
    left=$(systemctl --user list-units --all --no-legend --plain 2>/dev/null | grep -E '^berth-[0-9a-f]+\.scope')
    expect no-unit-leak "" "$left"
    finish
}

# --- as berthvm, inside a service with Delegate=yes: berth's cgroupfs v2 backend -------------------
user_cgroupfs() {
    own=$(sed -n 's/^0:://p' /proc/self/cgroup)
    expect cgroupfs-delegated "$(id -u)" "$(stat -c %u "/sys/fs/cgroup$own")"
    cgm="--cgroup-manager cgroupfs"
    info "delegated cgroup $own: controllers [$(cat "/sys/fs/cgroup$own/cgroup.controllers")] subtree_control [$(cat "/sys/fs/cgroup$own/cgroup.subtree_control")]"
    out=$(berth run $cgm --rm --memory 100m $img cat /proc/self/cgroup 2>&1)
    expect cgroupfs-run "0::/" "$out"
    info "after a run: subtree_control [$(cat "/sys/fs/cgroup$own/cgroup.subtree_control")], children: $(cd "/sys/fs/cgroup$own" && find . -mindepth 1 -type d | tr '\n' ' '), berth/ subtree_control [$(cat "/sys/fs/cgroup$own/berth/cgroup.subtree_control" 2>&1)]"
    expect cgroupfs-memory-max 104857600 "$(berth run $cgm --rm --memory 100m $img cat /sys/fs/cgroup/memory.max 2>&1)"
    out=$(berth run $cgm -d --name fs --memory 100m --cpus .5 --pids-limit 64 $img sleep 600 2>&1)
    expect_match cgroupfs-run-detached '^[0-9a-f]{64}$' "$out"
    dir=$(cgroup_dir fs)
    expect_match cgroupfs-inside-delegated-subtree "^/sys/fs/cgroup${own%/*}/." "$dir"
    expect cgroupfs-memory-outside 104857600 "$(cat "$dir/memory.max" 2>&1)"
    expect cgroupfs-cpu-outside "50000 100000" "$(cat "$dir/cpu.max" 2>&1)"
    expect cgroupfs-pids-outside 64 "$(cat "$dir/pids.max" 2>&1)"
    expect_match cgroupfs-inspect-manager '"CgroupManager": *"cgroupfs"' "$(berth inspect fs 2>&1)"
    expect_match cgroupfs-stats "fs +" "$(berth stats --no-stream fs 2>&1)"
    monitor_in cgroupfs-monitor-in-cgroup "$dir" fs
    berth rm -f fs >/dev/null 2>&1
    gone cgroupfs-rm-removes-cgroup "$dir"
    pass cgroupfs-done
    exit "$failed"
}

# --- as berthvm: figures, not checks ------------------------------------------------------------
# bench_run NAME CMD...: mean and stddev of CMD in ms (hyperfine if there, else a date loop).
bench_run() {
    name=$1
    shift
    if command -v hyperfine >/dev/null; then
        hyperfine -N --warmup 2 --runs "${BENCH_RUNS:-15}" --export-csv /tmp/bench-$$.csv "$*" >/dev/null 2>&1 || {
            fail "bench-$name" "hyperfine: $("$@" 2>&1 | tail -n1)"
            return
        }
        awk -F, -v n="$name" 'NR == 2 { printf "BENCH %s mean %.1f ms stddev %.1f ms min %.1f ms max %.1f ms\n", n, $2 * 1000, $3 * 1000, $7 * 1000, $8 * 1000 }' /tmp/bench-$$.csv
    else
        runs=${BENCH_RUNS:-15}
        start=$(date +%s%N)
        i=0
        while [ $i -lt "$runs" ]; do
            "$@" >/dev/null 2>&1 || { fail "bench-$name" "$* failed"; return; }
            i=$((i + 1))
        done
        echo "BENCH $name mean $(((($(date +%s%N) - start) / runs) / 1000000)) ms"
    fi
}

user_bench() {
    cd "$HOME" || exit 1
    berth import --change 'ENV PATH=/bin' "$lib/busybox.tar" "$img" >/dev/null 2>&1
    # Named after the backend berth says it picked, so a fallback cannot pose as systemd.
    mgr=$(berth info --format '{{json .}}' | sed -n 's/.*"cgroupManager":"\([^"]*\)".*/\1/p')
    echo "BENCH info default manager=$mgr"
    bench_run "run-rm-nolimit-$mgr" berth run --network none --rm $img true
    bench_run "run-rm-memory-$mgr" berth run --network none --rm --memory 100m $img true
    out=$(systemd-run --user --wait --pipe --quiet --collect -p Delegate=yes -E BENCH_RUNS="${BENCH_RUNS:-15}" \
        sh "$lib/guest-test.sh" user-bench-cgroupfs 2>&1)
    echo "$out"
    n=${BENCH_CONTAINERS:-50}
    i=0
    while [ $i -lt "$n" ]; do
        berth run -d --name "s$i" --memory 100m $img sleep 3600 >/dev/null 2>&1 || fail bench-stats-setup "container s$i did not start"
        i=$((i + 1))
    done
    echo "BENCH running containers: $(berth ps -q | wc -l)"
    bench_run "stats-no-stream-$n" berth stats --no-stream
    berth rm -f $(berth ps -aq) >/dev/null 2>&1
    finish
}

user_bench_cgroupfs() {
    bench_run run-rm-memory-cgroupfs berth run --network none --cgroup-manager cgroupfs --rm --memory 100m $img true
    exit "$failed"
}

# --- as root: set up, then hand over to berthvm ---------------------------------------------------
root_main() {
    mode=$(cat "$(dirname "$0")/mode" 2>/dev/null || echo test)
    echo "guest: $(uname -r), $(nproc) cpus, cgroup $(stat -fc %T /sys/fs/cgroup), systemd $(systemctl --version | head -n1 | cut -d' ' -f2), up $(cut -d' ' -f1 /proc/uptime) s"
    # Knobs run.sh passes through (BENCH_RUNS, BENCH_CONTAINERS), as NAME=VALUE lines.
    pass_env=""
    if [ -f "$(dirname "$0")/env" ]; then
        for kv in $(grep -E '^BENCH_[A-Z]+=[0-9]+$' "$(dirname "$0")/env"); do
            pass_env="$pass_env -E $kv"
        done
    fi
    mkdir -p "$lib"
    install -m 0755 "$(dirname "$0")/berth" /usr/local/bin/berth
    install -m 0644 "$0" "$lib/guest-test.sh"

    # logind starts the lingering user's manager at boot; its bus socket appears a little later.
    i=0
    while [ ! -S "$runtime_dir/bus" ] || ! systemctl is-active -q "user@$uid.service"; do
        i=$((i + 1))
        if [ $i -gt 240 ]; then
            fail user-manager "no user@$uid.service with a bus at $runtime_dir/bus after 120 s: $(systemctl status "user@$uid.service" 2>&1 | head -n5 | tr '\n' '|')"
            finish
        fi
        sleep 0.5
    done
    pass user-manager
    expect_match delegated-controllers 'cpu.*memory.*pids' \
        "$(cat /sys/fs/cgroup/user.slice/user-$uid.slice/user@$uid.service/cgroup.controllers 2>&1)"

    # The test image: every busybox applet, made here so the guest needs no registry or network.
    rootfs=$(mktemp -d)
    mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/root"
    chmod 1777 "$rootfs/tmp"
    cp /bin/busybox "$rootfs/bin/busybox"
    for applet in $(/bin/busybox --list); do
        [ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
    done
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rootfs/etc/passwd"
    printf 'root:x:0:\nnobody:x:65534:\n' >"$rootfs/etc/group"
    tar --numeric-owner -C "$rootfs" -cf "$lib/busybox.tar" .
    chmod 0644 "$lib/busybox.tar"
    rm -rf "$rootfs"

    # berthvm's part, in a transient service of its own manager (see the header); its output
    # comes back through --pipe.
    out=$(runuser -u "$user" -- env XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" DBUS_SESSION_BUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS" \
        systemd-run --user --wait --pipe --quiet --collect --unit=berth-vm-$mode $pass_env \
        sh "$lib/guest-test.sh" "user-$mode" 2>&1)
    printf '%s\n' "$out" | grep -v '^RESULT'
    printf '%s\n' "$out" | grep -q '^RESULT ok$' || {
        printf '%s\n' "$out" | grep -q '^FAIL' || fail user-part "berthvm's part ended without RESULT ok"
        failed=1
    }

    # berth started from outside the user's manager, where a user's shell often is: a root-owned
    # session scope (an SSH login's user-UID.slice/session-N.scope; here a system scope in that
    # slice) and a system service run as the user. Every cgroup move is then systemd's.
    if [ "$mode" = test ]; then
        bus_env="XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR DBUS_SESSION_BUS_ADDRESS=$DBUS_SESSION_BUS_ADDRESS"
        for where in session-scope system-service; do
            case $where in
            session-scope)
                out=$(systemd-run --scope --quiet --slice="user-$uid.slice" \
                    runuser -u "$user" -- env $bus_env HOME="/home/$user" \
                    sh "$lib/guest-test.sh" user-outside "$where" 2>&1) ;;
            system-service)
                out=$(systemd-run --uid="$uid" --wait --pipe --quiet --collect \
                    -E XDG_RUNTIME_DIR="$XDG_RUNTIME_DIR" -E DBUS_SESSION_BUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS" \
                    sh "$lib/guest-test.sh" user-outside "$where" 2>&1) ;;
            esac
            printf '%s\n' "$out" | grep -v '^RESULT'
            printf '%s\n' "$out" | grep -q '^RESULT ok$' || {
                printf '%s\n' "$out" | grep -q '^FAIL' || fail "$where" "the part ended without RESULT ok"
                failed=1
            }
        done
    fi
    echo "guest: done at up $(cut -d' ' -f1 /proc/uptime) s"
    finish
}

# --- as berthvm, started outside its systemd manager (argument: where it was started) ------------
user_outside() {
    cd "$HOME" || exit 1
    w=$1
    info "$w: berth runs in $(sed -n 's/^0:://p' /proc/self/cgroup)"
    expect "$w-run-plain" hello "$(berth run --rm $img echo hello 2>&1)"
    out=$(berth run -d --name out --memory 100m $img sleep 600 2>&1)
    expect_match "$w-run-detached" '^[0-9a-f]{64}$' "$out"
    dir=$(cgroup_dir out)
    expect_match "$w-scope-under-user-manager" "/user@$uid\.service/.*\.scope" "$dir"
    expect "$w-memory-max" 104857600 "$(cat "$dir/memory.max" 2>&1)"
    monitor_in "$w-monitor-in-scope" "$dir" out
    expect "$w-exec-same-cgroup" "0::/" "$(berth exec out cat /proc/self/cgroup 2>&1)"
    berth rm -f out >/dev/null 2>&1
    gone "$w-rm-removes-cgroup" "$dir"
    finish
}

case "${1:-}" in
"") root_main "$0" ;;
user-test) user_test ;;
user-cgroupfs) user_cgroupfs ;;
user-outside) user_outside "${2:-outside}" ;;
user-bench) user_bench ;;
user-bench-cgroupfs) user_bench_cgroupfs ;;
*)
    echo "guest-test.sh: unknown part '$1' (use no argument, user-test, user-cgroupfs, user-bench)" >&2
    exit 2
    ;;
esac
