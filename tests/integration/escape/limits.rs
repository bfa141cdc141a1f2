//! See mod.rs. Limits a hostile container must not get out of: the seccomp filter when
//! no_new_privs is off, `--pids-limit` on a host where the rootless container has no cgroup
//! (RLIMIT_NPROC stands in), and `--ulimit`; in `run` and in `exec`, rootless and as root.

use std::process::{Child, Stdio};

use serde_json::{json, Value};

use crate::fixtures::image;
use crate::util::{status_field, TestEnv, Who};

/// (soft, hard) of one row of /proc/PID/limits, e.g. "Max open files".
fn limit_row(limits: &str, row: &str) -> (String, String) {
    let rest = limits
        .lines()
        .find_map(|l| l.strip_prefix(row))
        .unwrap_or_else(|| panic!("no {row:?} in {limits}"));
    let mut cols = rest.split_whitespace();
    (
        cols.next().unwrap().to_string(),
        cols.next().unwrap().to_string(),
    )
}

fn pulled(test: &str, who: Who) -> (TestEnv, String) {
    let env = TestEnv::new(test);
    let img = image("busybox");
    env.berth_as(who, &["pull", "-q", &img]).assert_success();
    (env, img)
}

/// `personality(PER_LINUX | ADDR_NO_RANDOMIZE)`: needs no capability and works in a chroot,
/// and docker's profile refuses it. Exits 0 only where no filter stands in the way.
const PERSONALITY_PROBE: &[&str] = &["busybox", "linux64", "-R", "true"];

const NNP_OFF: &[&str] = &["--security-opt", "no-new-privileges=false"];

fn args<'a>(parts: &[&[&'a str]]) -> Vec<&'a str> {
    parts.iter().flat_map(|p| p.iter().copied()).collect()
}

/// A container started with no_new_privs off, and a process exec'd into it (as root and as a
/// non-root container user), all run under the seccomp filter: their status shows
/// `NoNewPrivs: 0` and `Seccomp: 2`, and a syscall the profile refuses fails in each.
fn seccomp_holds_without_no_new_privs(who: Who, test: &str) {
    let (env, img) = pulled(test, who);
    // The control: without a filter the probe succeeds, so its failure below is the filter's.
    env.berth_as(
        who,
        &args(&[
            &["run", "--rm"],
            NNP_OFF,
            &["--security-opt", "seccomp=unconfined", &img],
            PERSONALITY_PROBE,
        ]),
    )
    .assert_success();
    let refused = env.berth_as(
        who,
        &args(&[&["run", "--rm"], NNP_OFF, &[&img], PERSONALITY_PROBE]),
    );
    assert_ne!(refused.code(), 0, "{}", refused.stderr_str());
    assert!(
        refused.stderr_str().contains("Operation not permitted"),
        "{}",
        refused.stderr_str()
    );
    for user in ["0", "1000"] {
        let status = env
            .berth_as(
                who,
                &args(&[
                    &["run", "--rm", "-u", user],
                    NNP_OFF,
                    &[&img, "cat", "/proc/self/status"],
                ]),
            )
            .assert_success()
            .stdout_str();
        assert_eq!(
            status_field(&status, "NoNewPrivs"),
            "0",
            "-u {user}: {status}"
        );
        assert_eq!(status_field(&status, "Seccomp"), "2", "-u {user}: {status}");
        assert_eq!(
            status_field(&status, "Uid").split_whitespace().next(),
            Some(user)
        );
    }

    env.berth_as(
        who,
        &args(&[
            &["run", "-d", "--name", "box"],
            NNP_OFF,
            &[&img, "sleep", "1000"],
        ]),
    )
    .assert_success();
    for user in ["0", "1000"] {
        let status = env
            .berth_as(
                who,
                &["exec", "-u", user, "box", "cat", "/proc/self/status"],
            )
            .assert_success()
            .stdout_str();
        assert_eq!(
            status_field(&status, "NoNewPrivs"),
            "0",
            "exec -u {user}: {status}"
        );
        assert_eq!(
            status_field(&status, "Seccomp"),
            "2",
            "exec -u {user}: {status}"
        );
        let refused = env.berth_as(
            who,
            &args(&[&["exec", "-u", user, "box"], PERSONALITY_PROBE]),
        );
        assert_ne!(
            refused.code(),
            0,
            "exec -u {user}: {}",
            refused.stderr_str()
        );
        assert!(
            refused.stderr_str().contains("Operation not permitted"),
            "exec -u {user}: {}",
            refused.stderr_str()
        );
    }
    // The container's own PID 1 too.
    let init = env
        .berth_as(who, &["exec", "box", "cat", "/proc/1/status"])
        .assert_success()
        .stdout_str();
    assert_eq!(status_field(&init, "NoNewPrivs"), "0", "{init}");
    assert_eq!(status_field(&init, "Seccomp"), "2", "{init}");
    env.berth_as(who, &["rm", "-f", "box"]).assert_success();
    env.finish();
}

#[test]
fn seccomp_still_filters_run_and_exec_with_no_new_privileges_off_rootless() {
    seccomp_holds_without_no_new_privs(Who::User, "lim-nnp-user");
}

#[test]
fn seccomp_still_filters_run_and_exec_with_no_new_privileges_off_as_root() {
    seccomp_holds_without_no_new_privs(Who::Root, "lim-nnp-root");
}

/// Twenty background sleeps, then a line that only a shell that could fork them all prints.
const FORK_BOMB: &str = "for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do sleep 30 & done; echo forked-all";

#[test]
fn pids_limit_without_a_cgroup_stops_forks_in_run_and_exec_rootless() {
    let (env, img) = pulled("lim-pids-user", Who::User);
    let out = env.berth(&[
        "run",
        "--rm",
        "--pids-limit",
        "8",
        &img,
        "sh",
        "-c",
        FORK_BOMB,
    ]);
    let text = format!("{}{}", out.stdout_str(), out.stderr_str());
    assert!(text.contains("can't fork"), "{text}");
    assert!(!text.contains("forked-all"), "{text}");
    // The warning says what stands in for the cgroup, on one line.
    let warning: Vec<&str> = text.lines().filter(|l| l.starts_with("WARNING")).collect();
    assert_eq!(warning.len(), 1, "{text}");
    assert!(warning[0].contains("RLIMIT_NPROC"), "{text}");

    // The container cannot lift the limit, and `exec`'d processes have it too.
    env.berth(&[
        "run",
        "-d",
        "--name",
        "p",
        "--pids-limit",
        "8",
        &img,
        "sleep",
        "1000",
    ])
    .assert_success();
    let raise = env.berth(&["exec", "p", "sh", "-c", "ulimit -H -u 1000"]);
    assert_ne!(raise.code(), 0, "{}", raise.stderr_str());
    for pid in ["1", "self"] {
        let limits = env
            .berth(&["exec", "p", "cat", &format!("/proc/{pid}/limits")])
            .assert_success()
            .stdout_str();
        assert_eq!(
            limit_row(&limits, "Max processes"),
            ("8".into(), "8".into()),
            "/proc/{pid}/limits: {limits}"
        );
    }
    let out = env.berth(&["exec", "p", "sh", "-c", FORK_BOMB]);
    let text = format!("{}{}", out.stdout_str(), out.stderr_str());
    assert!(text.contains("can't fork"), "exec: {text}");
    assert!(!text.contains("forked-all"), "exec: {text}");
    env.berth(&["rm", "-f", "p"]).assert_success();
    env.finish();
}

/// RLIMIT_NPROC counts the processes of one user in the container's user namespace only: the
/// same user's processes on the host (more of them than the limit) do not use it up.
#[test]
fn pids_limit_as_rlimit_is_not_used_up_by_the_users_processes_on_the_host() {
    let (env, img) = pulled("lim-pids-host", Who::User);
    let mut host: Vec<Child> = (0..12)
        .map(|_| {
            env.command(Who::User, "sleep", &["600"])
                .stdout(Stdio::null())
                .spawn()
                .expect("sleep as the test user")
        })
        .collect();
    let out = env.berth(&[
        "run",
        "--rm",
        "--pids-limit",
        "8",
        &img,
        "sh",
        "-c",
        "sleep 30 & sleep 30 & sleep 30 & echo forked-three; cat /proc/self/limits",
    ]);
    for c in &mut host {
        let _ = c.kill();
        let _ = c.wait();
    }
    let out = out.assert_success().stdout_str();
    assert!(out.contains("forked-three"), "{out}");
    // The limit was there: eight processes, fewer than the user has on the host.
    assert_eq!(
        limit_row(&out, "Max processes"),
        ("8".into(), "8".into()),
        "{out}"
    );
    env.finish();
}

fn inspect(env: &TestEnv, who: Who, name: &str) -> Value {
    let out = env
        .berth_as(who, &["inspect", name])
        .assert_success()
        .stdout_str();
    let v: Value = serde_json::from_str(&out).unwrap();
    v[0].clone()
}

/// `--ulimit` in the container's process, in `exec`'d ones, in inspect and in config.json; the
/// container cannot raise its hard limit again.
fn ulimits_hold(who: Who, test: &str) {
    let (env, img) = pulled(test, who);
    env.berth_as(
        who,
        &[
            "run",
            "-d",
            "--name",
            "u",
            "--ulimit",
            "nofile=100:200",
            "--ulimit",
            "core=0",
            "--ulimit",
            "nofile=150:200",
            &img,
            "sleep",
            "1000",
        ],
    )
    .assert_success();
    for pid in ["1", "self"] {
        let limits = env
            .berth_as(who, &["exec", "u", "cat", &format!("/proc/{pid}/limits")])
            .assert_success()
            .stdout_str();
        assert_eq!(
            limit_row(&limits, "Max open files"),
            ("150".into(), "200".into()),
            "/proc/{pid}/limits: {limits}"
        );
        assert_eq!(
            limit_row(&limits, "Max core file size"),
            ("0".into(), "0".into()),
            "{limits}"
        );
    }
    let raise = env.berth_as(who, &["exec", "u", "sh", "-c", "ulimit -H -n 1000"]);
    assert_ne!(raise.code(), 0, "{}", raise.stderr_str());
    let c = inspect(&env, who, "u");
    assert_eq!(
        c["HostConfig"]["Ulimits"],
        json!([
            {"Name": "core", "Soft": 0, "Hard": 0},
            {"Name": "nofile", "Soft": 150, "Hard": 200},
        ])
    );
    let id = c["Id"].as_str().unwrap();
    let config = std::fs::read_to_string(
        env.store_of(who)
            .join("containers")
            .join(id)
            .join("userdata/config.json"),
    )
    .unwrap();
    let config: Value = serde_json::from_str(&config).unwrap();
    assert_eq!(
        config["process"]["rlimits"],
        json!([
            {"type": "RLIMIT_CORE", "soft": 0, "hard": 0},
            {"type": "RLIMIT_NOFILE", "soft": 150, "hard": 200},
        ])
    );
    env.berth_as(who, &["rm", "-f", "u"]).assert_success();

    env.berth_as(who, &["create", "--name", "none", &img, "true"])
        .assert_success();
    assert_eq!(
        inspect(&env, who, "none")["HostConfig"]["Ulimits"],
        Value::Null
    );
    env.berth_as(who, &["rm", "none"]).assert_success();
    env.finish();
}

#[test]
fn ulimits_bind_run_and_exec_and_show_in_inspect_rootless() {
    ulimits_hold(Who::User, "lim-ulimit-user");
}

#[test]
fn ulimits_bind_run_and_exec_and_show_in_inspect_as_root() {
    ulimits_hold(Who::Root, "lim-ulimit-root");
}

#[test]
fn ulimits_reach_an_external_runtime() {
    let (env, img) = pulled("lim-ulimit-runc", Who::User);
    let limits = env
        .berth(&[
            "run",
            "--rm",
            "--runtime",
            "runc",
            "--ulimit",
            "nofile=100:200",
            &img,
            "cat",
            "/proc/self/limits",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(
        limit_row(&limits, "Max open files"),
        ("100".into(), "200".into()),
        "{limits}"
    );
    env.finish();
}

/// This process's hard RLIMIT_NOFILE, which berth (its child) inherits.
fn our_nofile_hard() -> u64 {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit into a struct we own.
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) }, 0);
    r.rlim_max
}

fn we_have_cap_sys_resource() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let eff = u64::from_str_radix(&status_field(&status, "CapEff"), 16).unwrap();
    eff & (1 << 24) != 0
}

#[test]
fn bad_ulimits_and_raising_a_hard_limit_are_one_line_errors() {
    let (env, img) = pulled("lim-ulimit-bad", Who::User);
    for (arg, needle) in [
        ("nofiles=10", "unknown limit \"nofiles\""),
        ("nofile=abc", "\"abc\" is not a limit"),
        ("nofile=200:100", "soft limit is above the hard limit"),
        ("nofile", "use NAME=SOFT[:HARD]"),
        ("nofile=1:2:3", "too many values"),
    ] {
        env.berth(&["run", "--rm", "--ulimit", arg, &img, "true"])
            .assert_error(needle);
        env.berth(&["create", "--ulimit", arg, &img, "true"])
            .assert_error(needle);
    }
    // Above the hard limit the user has: refused up front, naming the limit they have.
    let hard = our_nofile_hard();
    let over = format!("nofile=100:{}", hard + 1);
    env.berth(&["run", "--rm", "--ulimit", &over, &img, "true"])
        .assert_error(&format!("above your hard limit of {hard} for nofile"));
    // Root may raise it only with CAP_SYS_RESOURCE (which some sandboxes take away).
    env.berth_as_root(&["pull", "-q", &img]).assert_success();
    let root = env.berth_as_root(&[
        "run",
        "--rm",
        "--ulimit",
        &over,
        &img,
        "cat",
        "/proc/self/limits",
    ]);
    if we_have_cap_sys_resource() {
        let limits = root.assert_success().stdout_str();
        assert_eq!(
            limit_row(&limits, "Max open files").1,
            (hard + 1).to_string(),
            "{limits}"
        );
    } else {
        root.assert_error(&format!("above your hard limit of {hard} for nofile"));
    }
    // `unlimited` is above any finite hard limit.
    env.berth(&[
        "run",
        "--rm",
        "--ulimit",
        "nofile=10:unlimited",
        &img,
        "true",
    ])
    .assert_error("nofile");
    env.finish();
}
