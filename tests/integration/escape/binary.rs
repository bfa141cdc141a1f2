//! berth's own processes, seen from a hostile container: the CVE-2019-5736 class. A process
//! that enters the container (`exec`, `--init`) must never let the container read its memory,
//! environment, arguments or descriptors, attach to it, or reach its executable — here a copy
//! of berth that the user owns, as `cargo install` leaves it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::{hostile, report, value};
use crate::util::{TestEnv, Who};

const SECRET: &str = "s3cret-token-of-the-caller";

/// A copy of berth owned by `who` in their home (for root: root's), as a user install is.
fn own_copy(env: &TestEnv, who: Who) -> PathBuf {
    let dest = env.home(who).home.join("bin/berth");
    std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
    std::fs::copy(crate::util::berth_bin(), &dest).unwrap();
    let (uid, gid) = env.account(who).map_or((0, 0), |a| (a.uid, a.gid));
    for p in [dest.parent().unwrap(), dest.as_path()] {
        std::os::unix::fs::chown(p, Some(uid), Some(gid)).unwrap();
    }
    dest
}

fn hash(p: &Path) -> Vec<u8> {
    Sha256::digest(std::fs::read(p).unwrap()).to_vec()
}

/// hostile takes the secret it looks for reversed, so that its own command line (which the
/// container's processes legitimately show) does not hold it.
fn reversed(s: &str) -> String {
    s.chars().rev().collect()
}

/// berth (the copy at `bin`) as `who`, with the caller's secret in its environment.
fn berth_with_secret(env: &TestEnv, who: Who, bin: &Path, args: &[&str]) -> crate::util::Output {
    let mut cmd = env.berth_command_of(who, bin, args);
    cmd.env("SECRET_TOKEN", SECRET);
    env.output_of(&format!("berth {}", args.join(" ")), cmd)
}

/// Each inspected process's block of hostile's `inspect` report must show nothing gained.
fn assert_nothing_gained(text: &str) {
    let r = report(text);
    let n = r.get("pid").map_or(0, Vec::len);
    for (key, bad) in [
        ("environ", "ok"),
        ("environ_secret", "LEAKED"),
        ("cmdline_secret", "LEAKED"),
        ("mem", "ok"),
        ("fd_links", "LEAKED"),
        ("exe_open", "ok"),
        ("exe_write", "WROTE"),
        ("ptrace", "ATTACHED"),
    ] {
        let vals = r.get(key).cloned().unwrap_or_default();
        assert_eq!(vals.len(), n, "{key} once per process in\n{text}");
        assert!(!vals.iter().any(|v| v == bad), "{key}={bad} in\n{text}");
    }
}

fn exec_window_is_closed(who: Who, test: &str) {
    let env = TestEnv::new(test);
    let img = hostile(&env, who);
    let bin = own_copy(&env, who);
    let before = hash(&bin);
    // The container's PID 1 turns /etc/passwd into a FIFO and waits on it: the next `berth
    // exec` blocks opening it, inside the container's namespaces, before its exec — the window
    // held open for as long as the attacker likes. Then it inspects every new process.
    // (Not as PID 1 itself: its exit would end the container, berth's exec with it.)
    let trap = format!(
        "rm /etc/passwd && mkfifo /etc/passwd && echo armed && /hostile trap /etc/passwd {} && sleep 1000",
        reversed(SECRET)
    );
    env.berth_as(
        who,
        &["run", "-d", "--name", "box", &img, "sh", "-c", &trap],
    )
    .assert_success();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !env
        .berth_as(who, &["logs", "box"])
        .stdout_str()
        .contains("armed")
    {
        assert!(Instant::now() < deadline, "the trap never armed");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The secret is in the caller's environment and in its arguments (as a value berth passes
    // to the command, which is the command's business once it runs, not before).
    let mark = format!("MARK={SECRET}");
    berth_with_secret(&env, who, &bin, &["exec", "-e", &mark, "box", "true"]).assert_success();
    let logs = env.berth_as(who, &["logs", "box"]).stdout_str();
    let seen: u32 = value(&report(&logs), "new_processes", &logs)
        .parse()
        .unwrap();
    assert!(seen >= 1, "the trap saw berth's process enter:\n{logs}");
    assert_nothing_gained(&logs);
    assert_eq!(hash(&bin), before, "the user's berth is unchanged");
    env.berth_as(who, &["rm", "-f", "box"]).assert_success();
    env.finish();
}

#[test]
fn exec_entering_the_container_cannot_be_read_attached_or_rewritten_rootless() {
    exec_window_is_closed(Who::User, "escape-exec-window");
}

#[test]
fn exec_entering_the_container_cannot_be_read_attached_or_rewritten_as_root() {
    exec_window_is_closed(Who::Root, "escape-exec-window-root");
}

fn init_is_sealed(who: Who, test: &str) {
    let env = TestEnv::new(test);
    let img = hostile(&env, who);
    let bin = own_copy(&env, who);
    let before = hash(&bin);
    let rev = reversed(SECRET);
    // The issue's own reproduction: the caller's secret must not be PID 1's.
    let out = berth_with_secret(
        &env,
        who,
        &bin,
        &[
            "run",
            "--rm",
            "--init",
            &img,
            "sh",
            "-c",
            "cat /proc/1/environ; true",
        ],
    )
    .assert_success();
    assert!(!out.stdout_str().contains(SECRET), "{}", out.stdout_str());
    let out = berth_with_secret(
        &env,
        who,
        &bin,
        &[
            "run", "--rm", "--init", &img, "/hostile", "inspect", "1", &rev,
        ],
    )
    .assert_success()
    .stdout_str();
    assert_nothing_gained(&out);
    // With CAP_SYS_PTRACE the container may look at its init: it is the sealed shim, with the
    // container's environment only, and its executable takes no write.
    let out = berth_with_secret(
        &env,
        who,
        &bin,
        &[
            "run",
            "--rm",
            "--init",
            "--cap-add",
            "SYS_PTRACE",
            "-e",
            "FROM_RUN=1",
            &img,
            "/hostile",
            "inspect",
            "1",
            &rev,
        ],
    )
    .assert_success()
    .stdout_str();
    let r = report(&out);
    assert_eq!(value(&r, "environ", &out), "ok", "{out}");
    assert_eq!(value(&r, "environ_secret", &out), "no", "{out}");
    assert!(
        value(&r, "exe_link", &out).starts_with("/memfd:berth-shim"),
        "{out}"
    );
    assert_ne!(value(&r, "exe_write", &out), "WROTE", "{out}");
    assert_eq!(hash(&bin), before, "the user's berth is unchanged");
    env.finish();
}

#[test]
fn init_pid1_is_a_sealed_shim_with_the_containers_environment_rootless() {
    init_is_sealed(Who::User, "escape-init");
}

#[test]
fn init_pid1_is_a_sealed_shim_with_the_containers_environment_as_root() {
    init_is_sealed(Who::Root, "escape-init-root");
}

#[test]
fn init_still_reaps_forwards_signals_and_returns_the_commands_code() {
    let env = TestEnv::new("escape-init-behaviour");
    let img = hostile(&env, Who::User);
    let out = env.berth(&["run", "--rm", "--init", &img, "sh", "-c", "exit 7"]);
    assert_eq!(out.code(), 7, "{}", out.stderr_str());
    // An orphan is reaped by the init, not left a zombie.
    let out = env
        .berth(&[
            "run",
            "--rm",
            "--init",
            &img,
            "sh",
            "-c",
            "sh -c 'sleep 0.2 &' ; sleep 1; grep -l '^State:.*Z' /proc/[0-9]*/status | wc -l",
        ])
        .assert_success();
    assert_eq!(out.stdout_str().trim(), "0", "no zombies");
    env.berth(&[
        "run", "-d", "--init", "--name", "ini", &img, "sleep", "1000",
    ])
    .assert_success();
    env.berth(&["stop", "-t", "5", "ini"]).assert_success();
    let code = env
        .berth(&["inspect", "-f", "{{.State.ExitCode}}", "ini"])
        .assert_success()
        .stdout_str();
    assert_eq!(code.trim(), "143", "SIGTERM reached sleep through the init");
    env.berth(&["rm", "ini"]).assert_success();
    env.finish();
}

/// CVE-2019-5736's trick: a script whose interpreter is `/proc/self/exe` is run by whatever
/// the entering process's executable is at that moment. It must be the sealed shim, never
/// berth: here the shim runs busybox's sh (the script is named `busybox`, so busybox takes its
/// first argument as the applet), which reads commands from stdin; berth would have refused
/// `/bin/busybox` as a subcommand.
#[test]
fn a_proc_self_exe_interpreter_runs_the_sealed_shim_not_berth() {
    for who in [Who::User, Who::Root] {
        let env = TestEnv::new("escape-self-exe");
        let img = hostile(&env, who);
        env.berth_as(who, &["run", "-d", "--name", "box", &img, "sleep", "1000"])
            .assert_success();
        let out = env
            .berth_as_with_stdin(
                who,
                &["exec", "-i", "box", "/self-exe/busybox", "sh"],
                b"echo shim-ran-sh; readlink /proc/self/exe\n",
            )
            .assert_success();
        assert_eq!(out.stdout_str(), "shim-ran-sh\n/bin/busybox\n");
        // The same as the container's first process.
        let out = env
            .berth_as_with_stdin(
                who,
                &["run", "--rm", "-i", &img, "/self-exe/busybox", "sh"],
                b"echo shim-ran-sh\n",
            )
            .assert_success();
        assert_eq!(out.stdout_str(), "shim-ran-sh\n");
        // Bare `#!/proc/self/exe`: the shim refuses to run without a program; no berth text.
        let out = env.berth_as(who, &["exec", "box", "/self-exe-bare"]);
        assert_eq!(out.code(), 125, "{}", out.stderr_str());
        assert!(!out.stderr_str().contains("Usage"), "{}", out.stderr_str());
        env.berth_as(who, &["rm", "-f", "box"]).assert_success();
        env.finish();
    }
}
