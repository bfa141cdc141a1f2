//! Attacks a default container was already refused, kept refused: mounts, new namespaces, bpf,
//! keyrings, file handles, kernel tunables, raw devices, setuid binaries
//! under no_new_privs, a working directory through a leaked descriptor, and `cp` against a
//! container that swaps symlinks under it.

use std::time::{Duration, Instant};

use super::{hostile, report};
use crate::util::{TestEnv, Who};

const PROBES: &[&str] = &[
    "mount_tmpfs",
    "mount_proc",
    "remount_root_rw",
    "unshare_user",
    "unshare_mount",
    "bpf_map_create",
    "keyctl_join",
    "add_key",
    "open_by_handle_at",
    "write_proc_sys_kernel",
    "write_proc_sysrq",
    "write_sys_kernel",
    "reboot",
    "init_module",
    "mknod_block",
    "kcore_read",
];

fn assert_all_refused(what: &str, text: &str) {
    let r = report(text);
    for p in PROBES {
        let v = r
            .get(*p)
            .unwrap_or_else(|| panic!("{what}: no {p} in\n{text}"));
        assert!(
            !v.iter().any(|v| v == "ALLOWED"),
            "{what}: {p} was allowed:\n{text}"
        );
    }
}

#[test]
fn a_default_container_and_exec_in_it_are_refused_every_probe() {
    for who in [Who::User, Who::Root] {
        let env = TestEnv::new("escape-probes");
        let img = hostile(&env, who);
        let out = env
            .berth_as(who, &["run", "--rm", &img, "/hostile", "probes"])
            .assert_success();
        assert_all_refused(&format!("run as {who:?}"), &out.stdout_str());
        env.berth_as(who, &["run", "-d", "--name", "box", &img, "sleep", "1000"])
            .assert_success();
        let out = env
            .berth_as(who, &["exec", "box", "/hostile", "probes"])
            .assert_success();
        assert_all_refused(&format!("exec as {who:?}"), &out.stdout_str());
        env.berth_as(who, &["rm", "-f", "box"]).assert_success();
        env.finish();
    }
}

#[test]
fn a_setuid_root_binary_gains_nothing_under_no_new_privs() {
    let env = TestEnv::new("escape-suid");
    let img = hostile(&env, Who::User);
    for args in [
        vec!["run", "--rm", "-u", "1000", &img, "/hostile-suid", "euid"],
        vec![
            "run",
            "--rm",
            "-u",
            "1000:1000",
            &img,
            "/hostile-suid",
            "euid",
        ],
    ] {
        let out = env.berth(&args).assert_success();
        assert_eq!(out.stdout_str().trim(), "euid=1000", "{args:?}");
    }
    env.berth(&["run", "-d", "--name", "box", &img, "sleep", "1000"])
        .assert_success();
    let out = env
        .berth(&["exec", "-u", "1000", "box", "/hostile-suid", "euid"])
        .assert_success();
    assert_eq!(out.stdout_str().trim(), "euid=1000");
    env.berth(&["rm", "-f", "box"]).assert_success();
    env.finish();
}

/// CVE-2024-21626: a working directory named through a descriptor berth leaked would be a
/// host directory. Either berth refuses the directory or the command is inside its root.
#[test]
fn a_workdir_through_proc_self_fd_never_lands_outside_the_root() {
    for who in [Who::User, Who::Root] {
        let env = TestEnv::new("escape-workdir-fd");
        let img = hostile(&env, who);
        env.berth_as(who, &["run", "-d", "--name", "box", &img, "sleep", "1000"])
            .assert_success();
        for n in 3..12 {
            let dir = format!("/proc/self/fd/{n}");
            for args in [
                vec!["run", "--rm", "-w", &dir, &img, "/hostile", "cwd"],
                vec!["exec", "-w", &dir, "box", "/hostile", "cwd"],
            ] {
                let out = env.berth_as(who, &args);
                if out.success() {
                    assert_eq!(out.stdout_str().trim(), "cwd=inside", "{args:?}");
                }
            }
        }
        env.berth_as(who, &["rm", "-f", "box"]).assert_success();
        env.finish();
    }
}

/// CVE-2018-15664: the container swaps a directory for a symlink to a host path while `cp`
/// works on it. Every path resolves inside the container: the host's file is never read and
/// nothing is written next to it.
#[test]
fn cp_against_a_container_swapping_symlinks_stays_inside_it() {
    let env = TestEnv::new("escape-cp-race");
    let img = hostile(&env, Who::User);
    let host_dir = env.home(Who::User).home.join("host-side");
    env.write_file(Who::User, &host_dir.join("f"), "HOST-SECRET\n");
    let swap = format!(
        "while true; do rm -rf /x/d; mkdir -p /x/d; echo inside > /x/d/f; rm -rf /x/d; ln -s {} /x/d; done",
        host_dir.display()
    );
    env.berth(&["run", "-d", "--name", "box", &img, "sh", "-c", &swap])
        .assert_success();
    let local = env.home(Who::User).home.join("in.txt");
    env.write_file(Who::User, &local, "from-the-host\n");
    let out_dir = env.home(Who::User).home.join("out");
    let deadline = Instant::now() + Duration::from_secs(60);
    for i in 0..40 {
        assert!(Instant::now() < deadline, "cp took too long");
        let dest = out_dir.join(format!("f{i}"));
        std::fs::create_dir_all(&out_dir).unwrap();
        std::os::unix::fs::chown(&out_dir, Some(env.account(Who::User).unwrap().uid), None)
            .unwrap();
        let out = env.berth(&["cp", "box:/x/d/f", dest.to_str().unwrap()]);
        if out.success() {
            let got = std::fs::read_to_string(&dest).unwrap_or_default();
            assert_ne!(got, "HOST-SECRET\n", "cp read the host's file");
        }
        let _ = env.berth(&["cp", local.to_str().unwrap(), "box:/x/d/"]);
    }
    let names: Vec<String> = std::fs::read_dir(&host_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["f"], "nothing was written into the host directory");
    assert_eq!(
        std::fs::read_to_string(host_dir.join("f")).unwrap(),
        "HOST-SECRET\n"
    );
    env.berth(&["rm", "-f", "box"]).assert_success();
    env.finish();
}
