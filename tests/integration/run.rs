//! `berth run`, `create`, `start`, `stop`, `kill`, `rm`: containers forked by berth itself,
//! rootless (with and without a subordinate range) and as root.

use std::fs;

use crate::fixtures::image;
use crate::util::{accounts, status_field, TestEnv, Who};

fn busybox_env(name: &str) -> (TestEnv, String) {
    let env = TestEnv::new(name);
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    (env, img)
}

/// The container directories left in the store, once a removal under way has finished: the
/// monitor of a `--rm` container reports the exit before it removes the container, and
/// `ps -a` waits for that removal.
fn container_dirs(env: &TestEnv) -> Vec<String> {
    env.berth(&["ps", "-aq"]).assert_success();
    let list = || match fs::read_dir(env.store().join("containers")) {
        Ok(rd) => rd
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    };
    // The directory moves out just after the record goes.
    for _ in 0..100 {
        if list().is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    list()
}

#[test]
fn run_makes_the_command_pid_1_and_streams_its_output() {
    let (env, img) = busybox_env("run-pid1");
    let out = env
        .berth(&["run", "--rm", &img, "ps", "aux"])
        .assert_success()
        .stdout_str();
    let first = out
        .lines()
        .nth(1)
        .unwrap_or_else(|| panic!("no process rows: {out}"));
    let cols: Vec<&str> = first.split_whitespace().collect();
    assert_eq!(cols[0], "1", "{out}");
    assert_eq!(cols[2..], ["ps", "aux"], "{out}");
    assert_eq!(out.lines().count(), 2, "only ps itself runs: {out}");
    env.finish();
}

#[test]
fn run_exits_with_the_commands_code_and_dockers_126_127() {
    let (env, img) = busybox_env("run-codes");
    let out = env.berth(&[
        "run",
        "--rm",
        &img,
        "sh",
        "-c",
        "echo out; echo err >&2; exit 3",
    ]);
    assert_eq!(out.code(), 3);
    assert_eq!(out.stdout_str(), "out\n");
    assert_eq!(out.stderr_str(), "err\n");
    let missing = env.berth(&["run", "--rm", &img, "no-such-command"]);
    assert_eq!(missing.code(), 127, "{}", missing.stderr_str());
    assert!(
        missing
            .stderr_str()
            .contains("no-such-command: executable file not found in $PATH"),
        "{}",
        missing.stderr_str()
    );
    let not_exec = env.berth(&["run", "--rm", &img, "/etc/passwd"]);
    assert_eq!(not_exec.code(), 126, "{}", not_exec.stderr_str());
    assert!(not_exec.stderr_str().contains("permission denied"));
    assert!(
        container_dirs(&env).is_empty(),
        "--rm removes even failed containers: {:?}",
        container_dirs(&env)
    );
    env.finish();
}

#[test]
fn containers_of_one_image_do_not_see_each_others_writes() {
    let (env, img) = busybox_env("run-cow");
    let script = "cat /test.txt 2>/dev/null; echo mine > /test.txt";
    let first = env
        .berth(&["run", "--name", "writer", &img, "sh", "-c", script])
        .assert_success()
        .stdout_str();
    assert_eq!(first, "");
    let other = env.berth(&["run", "--rm", &img, "cat", "/test.txt"]);
    assert_eq!(other.code(), 1, "another container must not see the file");
    // The writer's own layer keeps it across a restart.
    let again = env
        .berth(&["start", "-a", "writer"])
        .assert_success()
        .stdout_str();
    assert_eq!(again, "mine\n");
    env.berth(&["rm", "writer"]).assert_success();
    assert!(container_dirs(&env).is_empty());
    env.finish();
}

#[test]
fn no_descriptor_of_berth_leaks_into_the_container() {
    let (env, img) = busybox_env("run-fds");
    let out = env
        .berth(&["run", "--rm", &img, "sh", "-c", "ls /proc/$$/fd; true"])
        .assert_success()
        .stdout_str();
    let fds: Vec<&str> = out.split_whitespace().collect();
    assert_eq!(fds, ["0", "1", "2"], "{out}");
    env.finish();
}

#[test]
fn hostname_defaults_to_the_short_id_and_hostname_flag_sets_it() {
    let (env, img) = busybox_env("run-hostname");
    let id = env
        .berth(&["create", &img, "busybox", "hostname"])
        .assert_success()
        .stdout_str();
    let id = id.trim();
    assert_eq!(id.len(), 64);
    let out = env
        .berth(&["start", "-a", &id[..12]])
        .assert_success()
        .stdout_str();
    assert_eq!(out.trim(), &id[..12]);
    let named = env
        .berth(&[
            "run",
            "--rm",
            "--hostname",
            "box1",
            &img,
            "sh",
            "-c",
            "busybox hostname; cat /etc/hostname; busybox grep box1 /etc/hosts",
        ])
        .assert_success()
        .stdout_str();
    assert!(named.starts_with("box1\nbox1\n"), "{named}");
    env.berth(&["rm", id]).assert_success();
    env.finish();
}

#[test]
fn user_env_and_workdir_flags_are_honoured() {
    let (env, img) = busybox_env("run-user-env");
    let envfile = env.home(Who::User).home.join("vars.env");
    env.write_file(Who::User, &envfile, "# comment\nFROM_FILE=yes\n");
    let out = env
        .berth(&[
            "run",
            "--rm",
            "-u",
            "user1000",
            "-e",
            "GREETING=hi",
            "--env-file",
            envfile.to_str().unwrap(),
            "-w",
            "/made/here",
            &img,
            "sh",
            "-c",
            "id -u; id -g; echo $GREETING $FROM_FILE; pwd; echo $HOME",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(out, "1000\n1000\nhi yes\n/made/here\n/home/user1000\n");
    let numeric = env
        .berth(&[
            "run",
            "--rm",
            "-u",
            "4242:4343",
            &img,
            "sh",
            "-c",
            "id -u; id -g",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(numeric, "4242\n4343\n");
    env.berth(&["run", "--rm", "-u", "nosuchuser", &img, "true"])
        .assert_error("unable to find user nosuchuser");
    env.berth(&[
        "run",
        "--rm",
        "--env-file",
        "/nonexistent.env",
        &img,
        "true",
    ])
    .assert_error("cannot read --env-file /nonexistent.env");
    assert!(container_dirs(&env).is_empty());
    env.finish();
}

#[test]
fn a_duplicate_name_is_refused_naming_the_owner() {
    let (env, img) = busybox_env("run-dupname");
    let id = env
        .berth(&["create", "--name", "web", &img, "true"])
        .assert_success()
        .stdout_str();
    env.berth(&["create", "--name", "web", &img, "true"])
        .assert_error(&format!("already in use by {}", &id.trim()[..12]));
    env.berth(&["rm", "web"]).assert_success();
    env.finish();
}

#[test]
fn detached_containers_keep_running_until_stopped_then_can_be_removed() {
    let (env, img) = busybox_env("run-detach");
    let id = env
        .berth(&["run", "-d", "--name", "sleeper", &img, "sleep", "1000"])
        .assert_success()
        .stdout_str();
    assert_eq!(id.trim().len(), 64);
    env.berth(&["rm", "sleeper"])
        .assert_error("it is running; stop it first or use `berth rm -f`");
    // sleep as PID 1 ignores SIGTERM: stop must fall back to SIGKILL.
    env.berth(&["stop", "-t", "1", "sleeper"]).assert_success();
    env.berth(&["rm", "sleeper"]).assert_success();
    let id2 = env
        .berth(&["run", "-d", &img, "sleep", "1000"])
        .assert_success()
        .stdout_str();
    env.berth(&["rm", "-f", id2.trim()]).assert_success();
    assert!(container_dirs(&env).is_empty());
    env.finish();
}

/// The exit code the monitor records once the (only) container in the store has exited.
fn recorded_exit_code(env: &TestEnv) -> Option<i64> {
    let state = env.store().join("containers");
    let dir = fs::read_dir(&state).ok()?.next()?.ok()?.path();
    // Wait for the monitor without a timing assertion: give up only after a long while.
    for _ in 0..1500 {
        let s = fs::read_to_string(dir.join("state.json")).unwrap_or_default();
        if s.contains("\"exited\"") {
            let v: serde_json::Value = serde_json::from_str(&s).unwrap();
            return v["exit_code"].as_i64();
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    None
}

#[test]
fn kill_sends_the_signal_and_refuses_a_stopped_container() {
    let (env, img) = busybox_env("run-kill");
    env.berth(&[
        "run",
        "-d",
        "--name",
        "k",
        &img,
        "sh",
        "-c",
        "trap 'exit 42' USR1; while true; do sleep 0.1; done",
    ])
    .assert_success();
    env.berth(&["kill", "-s", "USR1", "k"]).assert_success();
    assert_eq!(recorded_exit_code(&env), Some(42));
    env.berth(&["kill", "k"])
        .assert_error("container k is not running");
    env.berth(&["kill", "-s", "NOPE", "k"])
        .assert_error("invalid signal");
    // Killed by a signal from outside: 128 + 9, as docker reports it.
    env.berth(&["start", "k"]).assert_success();
    env.berth(&["kill", "k"]).assert_success();
    assert_eq!(recorded_exit_code(&env), Some(137));
    env.berth(&["rm", "k"]).assert_success();
    env.finish();
}

#[test]
fn stdin_is_forwarded_with_i_and_closed_at_its_end() {
    let (env, img) = busybox_env("run-stdin");
    let out = env.berth_with_stdin(&["run", "--rm", "-i", &img, "cat"], b"line one\nline two\n");
    let out = out.assert_success().stdout_str();
    assert_eq!(out, "line one\nline two\n");
    env.finish();
}

#[test]
fn rootless_containers_map_root_to_the_user_and_the_rest_to_the_subuid_range() {
    let (env, img) = busybox_env("run-userns");
    let a = &accounts().user;
    let out = env
        .berth(&["run", "--rm", &img, "cat", "/proc/self/uid_map"])
        .assert_success()
        .stdout_str();
    let rows: Vec<Vec<u32>> = out
        .lines()
        .map(|l| l.split_whitespace().map(|n| n.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows[0], vec![0, a.uid, 1], "{out}");
    assert_eq!(rows[1][0], 1, "{out}");
    assert_eq!(rows[1][1], a.host_uid(1), "{out}");
    env.finish();
}

#[test]
fn a_user_without_a_subuid_range_runs_with_a_single_id_map_and_a_hint() {
    let env = TestEnv::new("run-norange");
    let img = image("busybox");
    env.berth_no_range(&["pull", "-q", &img]).assert_success();
    let out = env
        .berth_no_range(&[
            "run",
            "--rm",
            &img,
            "sh",
            "-c",
            "id -u; cat /proc/self/uid_map",
        ])
        .assert_success();
    assert!(out.stderr_str().contains("no subordinate id range"));
    let text = out.stdout_str();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("0"));
    let map: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(map[2], "1", "{text}");
    env.finish();
}

#[test]
fn root_runs_containers_without_a_user_namespace() {
    let env = TestEnv::new("run-root");
    let img = image("busybox");
    env.berth_as_root(&["pull", "-q", &img]).assert_success();
    let out = env
        .berth_as_root(&["run", "--rm", &img, "cat", "/proc/self/uid_map"])
        .assert_success()
        .stdout_str();
    assert_eq!(
        out.split_whitespace().collect::<Vec<_>>(),
        ["0", "0", "4294967295"]
    );
    env.finish();
}

#[test]
fn dockers_masked_and_read_only_paths_are_applied() {
    let (env, img) = busybox_env("run-masked");
    let out = env
        .berth(&[
            "run", "--rm", &img, "sh", "-c",
            "stat -c %s /proc/kcore; ls /sys/firmware | busybox wc -l; echo x > /proc/sysrq-trigger && echo writable",
        ])
        .stdout_str();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.first(), Some(&"0"), "/proc/kcore is masked: {out}");
    assert!(!out.contains("writable"), "{out}");
    env.finish();
}

#[test]
fn read_only_makes_the_root_filesystem_unwritable() {
    let (env, img) = busybox_env("run-readonly");
    let out = env.berth(&["run", "--rm", "--read-only", &img, "touch", "/newfile"]);
    assert_eq!(out.code(), 1);
    assert!(
        out.stderr_str().contains("Read-only file system"),
        "{}",
        out.stderr_str()
    );
    env.finish();
}

#[test]
fn network_none_has_only_loopback_and_host_shares_the_hosts() {
    let (env, img) = busybox_env("run-network");
    let none = env
        .berth(&[
            "run",
            "--rm",
            "--network",
            "none",
            &img,
            "cat",
            "/proc/net/dev",
        ])
        .assert_success()
        .stdout_str();
    let ifaces: Vec<&str> = none
        .lines()
        .skip(2)
        .map(|l| l.split(':').next().unwrap().trim())
        .collect();
    assert_eq!(ifaces, ["lo"], "{none}");
    let host = env
        .berth(&[
            "run",
            "--rm",
            "--network",
            "host",
            &img,
            "cat",
            "/proc/net/dev",
        ])
        .assert_success()
        .stdout_str();
    assert!(host.lines().count() > 3, "the host's interfaces: {host}");
    env.berth(&["run", "--rm", "--network", "bridge0", &img, "true"])
        .assert_error("network bridge0 not found");
    env.finish();
}

#[test]
fn an_unknown_image_is_pulled_like_docker_or_fails_clearly() {
    let env = TestEnv::new("run-pull");
    let img = image("busybox");
    let out = env
        .berth(&["run", "--rm", &img, "echo", "pulled"])
        .assert_success();
    assert!(
        out.stderr_str().contains("Unable to find image"),
        "{}",
        out.stderr_str()
    );
    assert_eq!(out.stdout_str(), "pulled\n");
    env.berth(&[
        "run",
        "--rm",
        "--pull",
        "never",
        "localhost/absent:1",
        "true",
    ])
    .assert_error("image not known");
    env.finish();
}

#[test]
fn rmi_refuses_an_image_a_container_uses_and_force_only_untags_it() {
    let (env, img) = busybox_env("run-rmi-in-use");
    env.berth(&["create", "--name", "user", &img, "true"])
        .assert_success();
    env.berth(&["rmi", &img])
        .assert_error("is in use by container");
    env.berth(&["rmi", "-f", &img]).assert_success();
    // The container still starts: its image stayed, without a name.
    env.berth(&["start", "-a", "user"]).assert_success();
    env.berth(&["rm", "user"]).assert_success();
    env.berth(&["image", "prune", "-f"]).assert_success();
    let left = env.berth(&["images", "-q"]).assert_success().stdout_str();
    assert_eq!(
        left, "",
        "the dangling image goes once no container uses it"
    );
    env.finish();
}

#[test]
fn init_is_pid_1_forwards_signals_and_passes_the_exit_code() {
    let (env, img) = busybox_env("run-init");
    let out = env.berth(&["run", "--rm", "--init", &img, "sh", "-c", "echo $$; exit 5"]);
    assert_eq!(out.code(), 5);
    assert_eq!(out.stdout_str(), "2\n", "the command is the init's child");
    // sleep is not PID 1 under --init, so SIGTERM from `stop` kills it: 128 + 15.
    env.berth(&["run", "-d", "--init", "--name", "i", &img, "sleep", "1000"])
        .assert_success();
    env.berth(&["stop", "-t", "600", "i"]).assert_success();
    assert_eq!(recorded_exit_code(&env), Some(143));
    env.berth(&["rm", "i"]).assert_success();
    env.finish();
}

#[test]
fn runtime_flag_hands_the_container_to_runc_inside_the_rootless_namespace() {
    let (env, img) = busybox_env("run-runc");
    let out = env
        .berth(&[
            "run",
            "--rm",
            "--runtime",
            "runc",
            "-u",
            "user1000",
            &img,
            "sh",
            "-c",
            "id -u; cat /etc/hostname; cat /proc/self/uid_map | busybox wc -l",
        ])
        .assert_success()
        .stdout_str();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "1000", "{out}");
    assert_eq!(lines[1].len(), 12, "the short id as hostname: {out}");
    assert_eq!(
        lines[2], "2",
        "the user and the subuid range are mapped: {out}"
    );
    let code = env.berth(&[
        "run",
        "--rm",
        "--runtime",
        "runc",
        &img,
        "sh",
        "-c",
        "exit 9",
    ]);
    assert_eq!(code.code(), 9);
    env.berth(&["run", "--rm", "--runtime", "no-such-runtime", &img, "true"])
        .assert_error("OCI runtime \"no-such-runtime\" not found");
    env.finish();
}

#[test]
fn containers_get_podmans_capabilities_no_new_privs_and_seccomp() {
    let (env, img) = busybox_env("run-security");
    let status = env
        .berth(&["run", "--rm", &img, "cat", "/proc/self/status"])
        .assert_success()
        .stdout_str();
    // podman's default set (no NET_RAW, MKNOD, AUDIT_WRITE).
    assert_eq!(status_field(&status, "CapEff"), "00000000800405fb");
    assert_eq!(status_field(&status, "CapBnd"), "00000000800405fb");
    assert_eq!(status_field(&status, "CapAmb"), "0000000000000000");
    assert_eq!(status_field(&status, "NoNewPrivs"), "1");
    assert_eq!(status_field(&status, "Seccomp"), "2");
    // The seeds' demo: setting the clock is refused...
    // (busybox's date reports the failure and still exits 0.)
    let date = env.berth(&["run", "--rm", &img, "date", "-s", "2020-01-01"]);
    assert!(
        date.stderr_str().contains("Operation not permitted"),
        "{}",
        date.stderr_str()
    );
    // ... and --cap-add SYS_TIME puts the capability (bit 25) in the set.
    let added = env
        .berth(&[
            "run",
            "--rm",
            "--cap-add",
            "SYS_TIME",
            &img,
            "cat",
            "/proc/self/status",
        ])
        .assert_success()
        .stdout_str();
    let eff = u64::from_str_radix(&status_field(&added, "CapEff"), 16).unwrap();
    assert_ne!(eff & (1 << 25), 0, "{added}");
    // A non-root container user keeps no effective capability, as with docker.
    let user = env
        .berth(&[
            "run",
            "--rm",
            "-u",
            "1000",
            &img,
            "cat",
            "/proc/self/status",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(status_field(&user, "CapEff"), "0000000000000000");
    // Namespaces cannot be made from inside (seccomp without CAP_SYS_ADMIN).
    let unshare = env.berth(&["run", "--rm", &img, "busybox", "unshare", "-U", "true"]);
    assert_ne!(unshare.code(), 0);
    let unconfined = env
        .berth(&[
            "run",
            "--rm",
            "--security-opt",
            "seccomp=unconfined",
            &img,
            "cat",
            "/proc/self/status",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(status_field(&unconfined, "Seccomp"), "0");
    env.berth(&["run", "--rm", "--cap-add", "NOPE", &img, "true"])
        .assert_error("unknown capability \"NOPE\"");
    env.berth(&["run", "--rm", "--security-opt", "bogus", &img, "true"])
        .assert_error("invalid --security-opt");
    env.finish();
}

#[test]
fn a_root_container_cannot_set_the_hosts_clock() {
    let env = TestEnv::new("run-root-clock");
    let img = image("busybox");
    env.berth_as_root(&["pull", "-q", &img]).assert_success();
    let out = env.berth_as_root(&["run", "--rm", &img, "date", "-s", "2020-01-01"]);
    assert!(
        out.stderr_str().contains("Operation not permitted"),
        "{}",
        out.stderr_str()
    );
    env.finish();
}

#[test]
fn a_container_whose_processes_vanished_shows_as_exited_as_after_a_reboot() {
    let (env, img) = busybox_env("run-reboot");
    env.berth(&["run", "-d", "--name", "gone", &img, "sleep", "1000"])
        .assert_success();
    let state_file = fs::read_dir(env.store().join("containers"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path()
        .join("state.json");
    let state: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&state_file).unwrap()).unwrap();
    // A reboot takes the monitor and the container without a word: kill both outright.
    for key in ["monitor_pid", "pid"] {
        let pid = state[key].as_i64().unwrap() as i32;
        // SAFETY: signalling a process this test started.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    let mut status = String::new();
    for _ in 0..500 {
        status = env
            .berth(&["ps", "-a", "--format", "{{.Names}} {{.Status}}"])
            .assert_success()
            .stdout_str();
        if status.contains("Exited") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(status.starts_with("gone Exited"), "{status}");
    env.berth(&["rm", "gone"]).assert_success();
    env.finish();
}

#[test]
fn restart_policies_bring_containers_back_with_back_off_and_respect_stop() {
    let (env, img) = busybox_env("run-restart");
    // on-failure:2 restarts a failing command twice, then leaves it exited.
    env.berth(&[
        "run",
        "-d",
        "--name",
        "f",
        "--restart",
        "on-failure:2",
        &img,
        "sh",
        "-c",
        "exit 3",
    ])
    .assert_success();
    let mut seen = String::new();
    for _ in 0..500 {
        seen = env
            .berth(&[
                "inspect",
                "--format",
                "{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}",
                "f",
            ])
            .assert_success()
            .stdout_str();
        if seen.trim() == "exited 2 3" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(seen.trim(), "exited 2 3");
    // always: killing PID 1 from the host brings it back (same container, new process).
    env.berth(&[
        "run",
        "-d",
        "--name",
        "a",
        "--restart",
        "always",
        &img,
        "sleep",
        "1000",
    ])
    .assert_success();
    let pid_of = || {
        env.berth(&["inspect", "--format", "{{.State.Pid}}", "a"])
            .assert_success()
            .stdout_str()
            .trim()
            .parse::<i32>()
            .unwrap()
    };
    let first = pid_of();
    // SAFETY: signalling the container's init, which this test started.
    unsafe { libc::kill(first, libc::SIGKILL) };
    let mut again = 0;
    for _ in 0..500 {
        again = pid_of();
        if again != 0 && again != first {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(again != 0 && again != first, "restarted with a new pid");
    // stop by the user is not a failure: it stays down, and start --all --filter brings back
    // only what the policy says.
    env.berth(&["stop", "-t", "1", "a"]).assert_success();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let st = env
        .berth(&["inspect", "--format", "{{.State.Status}}", "a"])
        .assert_success()
        .stdout_str();
    assert_eq!(st.trim(), "exited");
    env.berth(&["start", "--all", "--filter", "restart-policy=always"])
        .assert_success()
        .assert_stdout_contains("a");
    env.berth(&["rm", "-f", "a", "f"]).assert_success();
    env.berth(&["run", "--rm", "--restart", "always", &img, "true"])
        .assert_error("conflicting options: --restart and --rm");
    env.berth(&["run", "--restart", "on-failure:-1", &img, "true"])
        .assert_error("invalid --restart");
    env.berth(&["run", "--restart", "sometimes", &img, "true"])
        .assert_error("unknown policy");
    env.finish();
}

#[test]
fn a_detached_rm_container_is_removed_when_it_ends() {
    let (env, img) = busybox_env("run-detached-rm");
    env.berth(&[
        "run",
        "-d",
        "--rm",
        "--name",
        "brief",
        &img,
        "sh",
        "-c",
        "sleep 0.2",
    ])
    .assert_success();
    let mut left = true;
    for _ in 0..500 {
        let out = env.berth(&["container", "exists", "brief"]);
        if out.code() == 1 {
            left = false;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(
        !left,
        "the monitor removes an --rm container in detached mode too"
    );
    env.finish();
    // (finish() checks that no mount, process or file of it is left.)
}

#[test]
fn attach_relays_later_output_input_and_the_exit_code() {
    let (env, img) = busybox_env("run-attach");
    env.berth(&[
        "run",
        "-d",
        "-i",
        "--name",
        "att",
        &img,
        "sh",
        "-c",
        "read x; echo got $x; echo err >&2; exit 4",
    ])
    .assert_success();
    let out = env.berth_with_stdin(&["attach", "att"], b"hello\n");
    assert_eq!(out.code(), 4, "{}", out.stderr_str());
    assert_eq!(out.stdout_str(), "got hello\n");
    assert_eq!(out.stderr_str(), "err\n");
    env.berth(&["attach", "att"])
        .assert_error("you cannot attach to a stopped container att");
    env.berth(&["rm", "att"]).assert_success();
    env.finish();
}

fn health_of(env: &TestEnv, name: &str) -> String {
    env.berth(&["inspect", "--format", "{{.State.Health.Status}}", name])
        .assert_success()
        .stdout_str()
        .trim()
        .to_string()
}

fn wait_for(mut ok: impl FnMut() -> bool) -> bool {
    for _ in 0..750 {
        if ok() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    false
}

#[test]
fn the_monitor_runs_healthchecks_and_acts_on_failure() {
    let (env, img) = busybox_env("run-health");
    env.berth(&[
        "run",
        "-d",
        "--name",
        "h",
        "--health-cmd",
        "test -f /ok",
        "--health-interval",
        "200ms",
        "--health-retries",
        "2",
        &img,
        "sleep",
        "1000",
    ])
    .assert_success();
    assert!(wait_for(|| health_of(&env, "h") == "unhealthy"));
    let ps = env
        .berth(&["ps", "--format", "{{.Status}}"])
        .assert_success()
        .stdout_str();
    assert!(ps.contains("(unhealthy)"), "{ps}");
    env.berth(&["exec", "h", "touch", "/ok"]).assert_success();
    assert!(wait_for(|| health_of(&env, "h") == "healthy"));
    let log = env
        .berth(&["inspect", "--format", "{{len .State.Health.Log}}", "h"])
        .assert_success()
        .stdout_str();
    assert!(log.trim().parse::<u32>().unwrap() <= 5);
    env.berth(&["healthcheck", "run", "h"]).assert_success();
    env.berth(&["exec", "h", "rm", "/ok"]).assert_success();
    let out = env.berth(&["healthcheck", "run", "h"]);
    assert_eq!((out.code(), out.stdout_str().as_str()), (1, "unhealthy\n"));
    // --health-on-failure=restart brings the container back in place.
    env.berth(&[
        "run",
        "-d",
        "--name",
        "r",
        "--health-cmd",
        "false",
        "--health-interval",
        "200ms",
        "--health-retries",
        "1",
        "--health-on-failure",
        "restart",
        &img,
        "sleep",
        "1000",
    ])
    .assert_success();
    assert!(wait_for(|| {
        env.berth(&["inspect", "--format", "{{.RestartCount}}", "r"])
            .assert_success()
            .stdout_str()
            .trim()
            != "0"
    }));
    env.berth(&[
        "run",
        "--rm",
        "--health-interval",
        "soon",
        "--health-cmd",
        "true",
        &img,
        "true",
    ])
    .assert_error("invalid --health-interval");
    env.berth(&["create", "--name", "p", &img, "true"])
        .assert_success();
    env.berth(&["healthcheck", "run", "p"])
        .assert_error("container p has no healthcheck");
    env.berth(&["rm", "-f", "h", "r", "p"]).assert_success();
    env.finish();
}

#[test]
fn pause_freezes_a_root_container_and_rootless_says_why_it_cannot() {
    let env = TestEnv::new("run-pause");
    let img = image("busybox");
    env.berth_as_root(&["pull", "-q", &img]).assert_success();
    env.berth_as_root(&["run", "-d", "--name", "p", &img, "sleep", "1000"])
        .assert_success();
    env.berth_as_root(&["pause", "p"]).assert_success();
    let st = env
        .berth_as_root(&["inspect", "--format", "{{.State.Status}}", "p"])
        .assert_success()
        .stdout_str();
    assert_eq!(st.trim(), "paused");
    env.berth_as_root(&["pause", "p"])
        .assert_error("already paused");
    env.berth_as_root(&["exec", "p", "true"])
        .assert_error("paused");
    env.berth_as_root(&["unpause", "p"]).assert_success();
    env.berth_as_root(&["exec", "p", "true"]).assert_success();
    env.berth_as_root(&["unpause", "p"])
        .assert_error("is not paused");
    // A paused container still stops (it is thawed first).
    env.berth_as_root(&["pause", "p"]).assert_success();
    env.berth_as_root(&["rm", "-f", "p"]).assert_success();
    // Rootless on this host there is no cgroup to freeze: a clear error, nothing changed.
    env.berth(&["pull", "-q", &img]).assert_success();
    env.berth(&["run", "-d", "--name", "q", &img, "sleep", "1000"])
        .assert_success();
    env.berth(&["pause", "q"])
        .assert_error("has no cgroup berth can freeze");
    let st = env
        .berth(&["inspect", "--format", "{{.State.Status}}", "q"])
        .assert_success()
        .stdout_str();
    assert_eq!(st.trim(), "running");
    env.berth(&["rm", "-f", "q"]).assert_success();
    env.finish();
}

#[test]
fn restart_stops_and_starts_in_place_and_events_record_exec_and_attach() {
    let (env, img) = busybox_env("run-restart-cmd");
    env.berth(&["run", "-d", "--name", "r", &img, "sleep", "1000"])
        .assert_success();
    let pid = |env: &TestEnv| {
        env.berth(&["inspect", "--format", "{{.State.Pid}}", "r"])
            .assert_success()
            .stdout_str()
    };
    let before = pid(&env);
    env.berth(&["restart", "-t", "1", "r"])
        .assert_success()
        .assert_stdout_contains("r");
    let after = pid(&env);
    assert_ne!(before, after);
    assert_ne!(after.trim(), "0");
    env.berth(&["exec", "r", "true"]).assert_success();
    let events = env
        .berth(&[
            "events",
            "--since",
            "10m",
            "--until",
            "0s",
            "--filter",
            "container=r",
            "--format",
            "{{.Action}}",
        ])
        .assert_success()
        .stdout_str();
    for action in [
        "create",
        "start",
        "kill",
        "die",
        "restart",
        "exec_create: true",
        "exec_die",
    ] {
        assert!(events.lines().any(|l| l == action), "{action} in {events}");
    }
    env.berth(&["restart", "nosuch"])
        .assert_error("no container");
    env.berth(&["rm", "-f", "r"]).assert_success();
    env.finish();
}

#[test]
fn after_run_rm_returns_its_name_is_free_and_no_command_lists_it() {
    // The monitor reports the exit before it removes the container: every command after
    // `run --rm` must still see it gone.
    let (env, img) = busybox_env("run-rm-gone");
    for i in 0..15 {
        env.berth(&[
            "run",
            "--rm",
            "--network",
            "none",
            "--name",
            "again",
            &img,
            "true",
        ])
        .assert_success();
        let ps = env
            .berth(&["ps", "-a", "--format", "{{.Names}}"])
            .stdout_str();
        assert!(!ps.contains("again"), "round {i}: ps -a lists it: {ps}");
        env.berth(&["inspect", "again"])
            .assert_error("no such object: again");
    }
    let code = env.berth(&["run", "--rm", "--name", "again", &img, "sh", "-c", "exit 7"]);
    assert_eq!(code.code(), 7);
    env.berth(&["create", "--name", "again", &img, "true"])
        .assert_success();
    env.berth(&["rm", "again"]).assert_success();
    env.finish();
}
