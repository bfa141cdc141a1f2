//! Resource limits: as root with this host's cgroup v1 hierarchies for real (limits in the
//! container's cgroup files, stats, update, the OOM killer, pids, nothing left after rm), and
//! rootless here, where no backend is usable (the warning, strict mode), plus bad input.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::fixtures::image;
use crate::util::TestEnv;

const V1: &str = "/sys/fs/cgroup";
const CONTROLLERS: &[&str] = &[
    "memory", "cpu", "cpuacct", "pids", "blkio", "freezer", "cpuset",
];

fn root_env(name: &str) -> (TestEnv, String) {
    let env = TestEnv::new(name);
    let img = image("busybox");
    env.berth_as_root(&["pull", "-q", &img]).assert_success();
    (env, img)
}

fn user_env(name: &str) -> (TestEnv, String) {
    let env = TestEnv::new(name);
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    (env, img)
}

fn full_id(env: &TestEnv, name: &str) -> String {
    env.berth_as_root(&["inspect", "--format", "{{.Id}}", name])
        .assert_success()
        .stdout_str()
        .trim()
        .to_string()
}

fn cg(controller: &str, id: &str) -> PathBuf {
    Path::new(V1).join(controller).join("berth").join(id)
}

fn read(p: PathBuf) -> String {
    fs::read_to_string(&p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .trim()
        .to_string()
}

fn now() -> String {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    format!("{}.{:09}", d.as_secs(), d.subsec_nanos())
}

fn assert_no_cgroup_left(id: &str) {
    for c in CONTROLLERS {
        assert!(
            !cg(c, id).exists(),
            "{} was left behind",
            cg(c, id).display()
        );
    }
}

#[test]
fn memory_cpu_and_pids_limits_land_in_the_v1_cgroup_and_stats_update_and_rm_follow() {
    let (env, img) = root_env("cg-v1-limits");
    env.berth_as_root(&[
        "run",
        "-d",
        "--name",
        "lim",
        "--memory",
        "100m",
        "--cpus",
        "0.5",
        "--cpu-shares",
        "256",
        "--pids-limit",
        "50",
        &img,
        "sleep",
        "1000",
    ])
    .assert_success();
    let id = full_id(&env, "lim");
    assert_eq!(
        read(cg("memory", &id).join("memory.limit_in_bytes")),
        "104857600"
    );
    assert_eq!(read(cg("cpu", &id).join("cpu.cfs_quota_us")), "50000");
    assert_eq!(read(cg("cpu", &id).join("cpu.cfs_period_us")), "100000");
    assert_eq!(read(cg("cpu", &id).join("cpu.shares")), "256");
    assert_eq!(read(cg("pids", &id).join("pids.max")), "50");
    // The container's init is in it (it was placed there before it ran).
    let pid = env
        .berth_as_root(&["inspect", "--format", "{{.State.Pid}}", "lim"])
        .assert_success()
        .stdout_str();
    let own = read(PathBuf::from(format!("/proc/{}/cgroup", pid.trim())));
    assert!(own.contains(&format!("memory:/berth/{id}")), "{own}");

    let hc = env
        .berth_as_root(&[
            "inspect",
            "--format",
            "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}} {{.HostConfig.PidsLimit}} {{.HostConfig.CgroupManager}}",
            "lim",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(hc.trim(), "104857600 500000000 256 50 cgroupfs");

    let stats = env
        .berth_as_root(&[
            "stats",
            "--no-stream",
            "--format",
            "{{.Name}}|{{.MemUsage}}|{{.PIDs}}",
            "lim",
        ])
        .assert_success()
        .stdout_str();
    let f: Vec<&str> = stats.trim().split('|').collect();
    assert_eq!(f[0], "lim", "{stats}");
    assert!(f[1].ends_with("/ 100MiB"), "{stats}");
    assert_eq!(f[2], "1", "{stats}");
    let table = env
        .berth_as_root(&["stats", "--no-stream", "lim"])
        .assert_success()
        .stdout_str();
    assert!(table.starts_with("CONTAINER ID"), "{table}");
    for h in [
        "NAME",
        "CPU %",
        "MEM USAGE / LIMIT",
        "MEM %",
        "NET I/O",
        "BLOCK I/O",
        "PIDS",
    ] {
        assert!(table.lines().next().unwrap().contains(h), "{table}");
    }
    let json = env
        .berth_as_root(&["stats", "--no-stream", "--format", "{{json .}}", "lim"])
        .assert_success()
        .stdout_str();
    let v: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(v["Name"], "lim");
    assert_eq!(v["PIDs"], "1");

    env.berth_as_root(&["update", "--memory", "200m", "--pids-limit", "60", "lim"])
        .assert_success();
    assert_eq!(
        read(cg("memory", &id).join("memory.limit_in_bytes")),
        "209715200"
    );
    assert_eq!(read(cg("pids", &id).join("pids.max")), "60");
    env.berth_as_root(&["update", "--pids-limit", "-1", "lim"])
        .assert_success();
    assert_eq!(read(cg("pids", &id).join("pids.max")), "max");
    let mem = env
        .berth_as_root(&["inspect", "--format", "{{.HostConfig.Memory}}", "lim"])
        .assert_success()
        .stdout_str();
    assert_eq!(mem.trim(), "209715200");

    env.berth_as_root(&["pause", "lim"]).assert_success();
    assert_eq!(read(cg("freezer", &id).join("freezer.state")), "FROZEN");
    env.berth_as_root(&["unpause", "lim"]).assert_success();

    env.berth_as_root(&["rm", "-f", "lim"]).assert_success();
    assert_no_cgroup_left(&id);
    env.finish();
}

#[test]
fn a_container_the_oom_killer_kills_exits_137_with_oomkilled_and_an_oom_event() {
    let (env, img) = root_env("cg-oom");
    let since = now();
    let out = env.berth_as_root(&[
        "run",
        "--name",
        "memory-test",
        "--memory",
        "100m",
        "--memory-swap",
        "100m",
        &img,
        "sh",
        "-c",
        "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived",
    ]);
    assert_eq!(out.code(), 137, "{}", out.stderr_str());
    assert!(!out.stdout_str().contains("survived"));
    let st = env
        .berth_as_root(&[
            "inspect",
            "--format",
            "{{.State.OOMKilled}} {{.State.ExitCode}}",
            "memory-test",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(st.trim(), "true 137");
    let events = env
        .berth_as_root(&[
            "events",
            "--since",
            &since,
            "--until",
            &now(),
            "--format",
            "{{.Action}} {{.Actor.Attributes.name}}",
        ])
        .assert_success()
        .stdout_str();
    assert!(events.lines().any(|l| l == "oom memory-test"), "{events}");
    let id = full_id(&env, "memory-test");
    // The cgroup went with the run; rm leaves nothing either.
    assert_no_cgroup_left(&id);
    env.berth_as_root(&["rm", "memory-test"]).assert_success();
    env.finish();
}

#[test]
fn cpu_quotas_show_in_stats_as_roughly_their_share_of_a_cpu() {
    let (env, img) = root_env("cg-cpus");
    // The fixture's busybox has no md5sum applet linked: a busy shell loop burns CPU as well.
    let spin = "while :; do :; done";
    env.berth_as_root(&[
        "run", "-d", "--cpus", ".2", "--name", "slow", &img, "sh", "-c", spin,
    ])
    .assert_success();
    env.berth_as_root(&[
        "run", "-d", "--cpus", ".8", "--name", "fast", &img, "sh", "-c", spin,
    ])
    .assert_success();
    let out = env
        .berth_as_root(&[
            "stats",
            "--no-stream",
            "--format",
            "{{.Name}} {{.CPUPerc}}",
            "slow",
            "fast",
        ])
        .assert_success()
        .stdout_str();
    let pct = |name: &str| -> f64 {
        out.lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .and_then(|p| p.trim_end_matches('%').parse().ok())
            .unwrap_or_else(|| panic!("no CPU % for {name} in {out:?}"))
    };
    let (slow, fast) = (pct("slow"), pct("fast"));
    // The quota is a ceiling. The host is shared (its load keeps the fast one well below its
    // 80% at times), so there is no floor beyond "it ran", nor an order between the two.
    assert!(slow > 1.0 && slow < 35.0, "slow: {slow}% ({out})");
    assert!(
        fast > 1.0 && fast < 95.0,
        "fast: {fast}%, slow {slow}% ({out})"
    );
    let ids = [full_id(&env, "slow"), full_id(&env, "fast")];
    env.berth_as_root(&["rm", "-f", "slow", "fast"])
        .assert_success();
    for id in ids {
        assert_no_cgroup_left(&id);
    }
    env.finish();
}

#[test]
fn the_pids_limit_stops_forks_beyond_it() {
    let (env, img) = root_env("cg-pids");
    let out = env.berth_as_root(&[
        "run",
        "--rm",
        "--pids-limit",
        "4",
        &img,
        "sh",
        "-c",
        "for i in 1 2 3 4 5 6 7 8; do sleep 30 & done; echo forked-all",
    ]);
    let text = format!("{}{}", out.stdout_str(), out.stderr_str());
    assert!(text.contains("can't fork"), "{text}");
    assert!(!text.contains("forked-all"), "{text}");
    env.finish();
}

#[test]
fn exec_joins_the_containers_cgroup() {
    let (env, img) = root_env("cg-exec");
    env.berth_as_root(&[
        "run", "-d", "--name", "e", "--memory", "64m", &img, "sleep", "1000",
    ])
    .assert_success();
    let id = full_id(&env, "e");
    let out = env
        .berth_as_root(&["exec", "e", "cat", "/proc/self/cgroup"])
        .assert_success()
        .stdout_str();
    assert!(
        out.contains("memory:/") && !out.contains("memory:/process_api"),
        "{out}"
    );
    let procs = read(cg("memory", &id).join("cgroup.procs"));
    assert!(!procs.is_empty());
    env.berth_as_root(&["rm", "-f", "e"]).assert_success();
    assert_no_cgroup_left(&id);
    env.finish();
}

#[test]
fn rootless_limits_without_a_backend_warn_once_and_strict_mode_refuses() {
    let (env, img) = user_env("cg-rootless");
    let out = env
        .berth(&["run", "--rm", "--memory", "100m", &img, "true"])
        .assert_success();
    let err = out.stderr_str();
    assert_eq!(
        err.lines()
            .filter(|l| l.starts_with("WARNING: resource limits are not applied"))
            .count(),
        1,
        "{err}"
    );
    assert!(err.contains("cgroup v2") && err.contains("root"), "{err}");
    // No limits asked for: nothing to warn about.
    let quiet = env.berth(&["run", "--rm", &img, "true"]).assert_success();
    assert!(
        !quiet.stderr_str().contains("WARNING"),
        "{}",
        quiet.stderr_str()
    );

    env.berth(&[
        "run",
        "--rm",
        "--cgroup-strict",
        "--memory",
        "100m",
        &img,
        "true",
    ])
    .assert_error("cgroups are required");
    env.user_config("berth/berth.conf", "cgroups = \"strict\"\n");
    env.berth(&["run", "--rm", &img, "true"])
        .assert_error("cgroups are required");
    env.user_config("berth/berth.conf", "");
    let inspect = env
        .berth(&["create", "--name", "c", &img, "true"])
        .assert_success();
    let _ = inspect;
    let mgr = env
        .berth(&["inspect", "--format", "{{.HostConfig.CgroupManager}}", "c"])
        .assert_success()
        .stdout_str();
    assert_eq!(mgr.trim(), "none");
    // Its limits cannot change while it is stopped (nor, without a cgroup, ever).
    env.berth(&["update", "--memory", "100m", "c"])
        .assert_error("is not running");
    env.berth(&["update", "--restart", "always", "c"])
        .assert_success();
    env.berth(&["rm", "c"]).assert_success();
    env.finish();
}

#[test]
fn rootless_stats_show_pids_and_say_what_they_cannot_measure() {
    let (env, img) = user_env("cg-rootless-stats");
    env.berth(&["run", "-d", "--name", "s", &img, "sleep", "1000"])
        .assert_success();
    let out = env
        .berth(&[
            "stats",
            "--no-stream",
            "--format",
            "{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}",
        ])
        .assert_success();
    assert_eq!(out.stdout_str().trim(), "s -- -- / -- 1");
    assert!(
        out.stderr_str().contains("no cgroup"),
        "{}",
        out.stderr_str()
    );
    env.berth(&["rm", "-f", "s"]).assert_success();
    env.finish();
}

#[test]
fn bad_limits_are_refused_with_125_and_create_nothing() {
    let (env, img) = user_env("cg-bad");
    for (args, needle) in [
        (
            &["--memory", "1k"][..],
            "minimum memory limit allowed is 6MB",
        ),
        (&["--memory", "10x"][..], "unknown unit \"x\""),
        (&["--cpus", "0"][..], "range of CPUs"),
        (&["--cpus", "999"][..], "range of CPUs"),
        (
            &["--cpuset-cpus", "99"][..],
            "99 is not available on this host",
        ),
        (
            &["--cgroup-manager", "bogus"][..],
            "use systemd or cgroupfs",
        ),
        (&["--cgroupns", "bogus"][..], "use private or host"),
        (&["--cpu-shares", "1"][..], "--cpu-shares"),
    ] {
        let mut a = vec!["run", "--rm"];
        a.extend_from_slice(args);
        a.extend_from_slice(&[&img, "true"]);
        let out = env.berth(&a).assert_error(needle);
        assert_eq!(out.code(), 125);
        assert_eq!(
            out.stderr_str().trim().lines().count(),
            1,
            "{}",
            out.stderr_str()
        );
    }
    let ps = env.berth(&["ps", "-aq"]).assert_success().stdout_str();
    assert!(ps.trim().is_empty(), "{ps}");
    env.finish();
}

#[test]
fn a_private_cgroup_namespace_is_rooted_at_the_containers_cgroup_and_host_shows_the_path() {
    let (env, img) = root_env("cg-ns");
    let private = env
        .berth_as_root(&[
            "run",
            "--name",
            "p",
            "--memory",
            "64m",
            &img,
            "cat",
            "/proc/self/cgroup",
        ])
        .assert_success()
        .stdout_str();
    assert!(
        private.lines().any(|l| l.ends_with(":memory:/")),
        "{private}"
    );
    let host = env
        .berth_as_root(&[
            "run",
            "--name",
            "h",
            "--cgroupns",
            "host",
            "--memory",
            "64m",
            &img,
            "cat",
            "/proc/self/cgroup",
        ])
        .assert_success()
        .stdout_str();
    let id = full_id(&env, "h");
    assert!(host.contains(&format!(":memory:/berth/{id}")), "{host}");
    let mode = env
        .berth_as_root(&["inspect", "--format", "{{.HostConfig.CgroupnsMode}}", "h"])
        .assert_success()
        .stdout_str();
    assert_eq!(mode.trim(), "host");
    env.berth_as_root(&["rm", "p", "h"]).assert_success();
    env.finish();
}

#[test]
fn a_cgroup_parent_berth_made_goes_when_its_container_does() {
    let (env, img) = root_env("cg-parent");
    let parent = "berth-it-cg-parent";
    let out = env
        .berth_as_root(&[
            "run",
            "--name",
            "cp",
            "--cgroup-parent",
            parent,
            "--cgroupns",
            "host",
            "--memory",
            "64m",
            &img,
            "cat",
            "/proc/self/cgroup",
        ])
        .assert_success()
        .stdout_str();
    let id = full_id(&env, "cp");
    assert!(out.contains(&format!(":memory:/{parent}/{id}")), "{out}");
    let hc = env
        .berth_as_root(&["inspect", "--format", "{{.HostConfig.CgroupParent}}", "cp"])
        .assert_success()
        .stdout_str();
    assert_eq!(hc.trim(), parent);
    env.berth_as_root(&["rm", "cp"]).assert_success();
    for c in CONTROLLERS {
        let p = Path::new(V1).join(c).join(parent);
        assert!(!p.exists(), "{} was left behind", p.display());
    }
    env.finish();
}

#[test]
fn a_restarted_container_is_back_in_a_cgroup_with_its_limits() {
    let (env, img) = root_env("cg-restart");
    env.berth_as_root(&[
        "run",
        "-d",
        "--name",
        "r",
        "--restart",
        "on-failure:2",
        "--cgroupns",
        "host",
        "--memory",
        "64m",
        &img,
        "sh",
        "-c",
        "grep memory /proc/self/cgroup; exit 3",
    ])
    .assert_success();
    let id = full_id(&env, "r");
    let mut logs = String::new();
    for _ in 0..400 {
        logs = env
            .berth_as_root(&["logs", "r"])
            .assert_success()
            .stdout_str();
        let state = env
            .berth_as_root(&["inspect", "--format", "{{.State.Status}}", "r"])
            .assert_success()
            .stdout_str();
        if logs.lines().filter(|l| l.contains("memory:")).count() == 3 && state.trim() == "exited" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let runs: Vec<&str> = logs.lines().filter(|l| l.contains("memory:")).collect();
    assert_eq!(runs.len(), 3, "{logs}");
    assert!(
        runs.iter()
            .all(|l| l.ends_with(&format!("memory:/berth/{id}"))),
        "{logs}"
    );
    assert_no_cgroup_left(&id);
    env.berth_as_root(&["rm", "r"]).assert_success();
    env.finish();
}
