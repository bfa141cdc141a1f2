//! `berth exec`: a command joins a running container (its namespaces, environment, user,
//! capabilities and seccomp filter), rootless with and without a subordinate range and as root.

use std::io::{Read, Write};
use std::process::Stdio;

use crate::fixtures::image;
use crate::util::{status_field, TestEnv, Who};

/// A test env with busybox pulled and a container `name` running `sleep 1000` as `who`.
fn running(test: &str, who: Who, name: &str, extra: &[&str]) -> TestEnv {
    let env = TestEnv::new(test);
    let img = image("busybox");
    env.berth_as(who, &["pull", "-q", &img]).assert_success();
    let mut args = vec!["run", "-d", "--name", name];
    args.extend_from_slice(extra);
    args.extend_from_slice(&[&img, "sleep", "1000"]);
    env.berth_as(who, &args).assert_success();
    env
}

/// `ps aux` rows as (pid, command).
fn processes(ps: &str) -> Vec<(String, String)> {
    ps.lines()
        .skip(1)
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            (cols[0].to_string(), cols[2..].join(" "))
        })
        .collect()
}

#[test]
fn exec_runs_in_the_containers_pid_namespace() {
    let env = running("exec-pid", Who::User, "box", &[]);
    let out = env
        .berth(&["exec", "box", "ps", "aux"])
        .assert_success()
        .stdout_str();
    let procs = processes(&out);
    assert_eq!(procs[0], ("1".into(), "sleep 1000".into()), "{out}");
    assert_eq!(procs.len(), 2, "only the container and ps: {out}");
    assert_eq!(procs[1].1, "ps aux", "{out}");
    // `berth container exec` is the same verb.
    env.berth(&["container", "exec", "box", "true"])
        .assert_success();
    env.berth(&["rm", "-f", "box"]).assert_success();
    env.finish();
}

#[test]
fn exec_exits_with_the_commands_code_and_dockers_126_127() {
    let env = running("exec-codes", Who::User, "box", &[]);
    let out = env.berth(&["exec", "box", "sh", "-c", "echo out; echo err >&2; exit 3"]);
    assert_eq!(out.code(), 3);
    assert_eq!(out.stdout_str(), "out\n");
    assert_eq!(out.stderr_str(), "err\n");
    let missing = env.berth(&["exec", "box", "no-such-command"]);
    assert_eq!(missing.code(), 127, "{}", missing.stderr_str());
    assert!(
        missing
            .stderr_str()
            .contains("no-such-command: executable file not found in $PATH"),
        "{}",
        missing.stderr_str()
    );
    let not_exec = env.berth(&["exec", "box", "/etc/passwd"]);
    assert_eq!(not_exec.code(), 126, "{}", not_exec.stderr_str());
    assert!(
        not_exec
            .stderr_str()
            .contains("/etc/passwd: permission denied"),
        "{}",
        not_exec.stderr_str()
    );
    let killed = env.berth(&["exec", "box", "sh", "-c", "kill -9 $$"]);
    assert_eq!(killed.code(), 137);
    env.berth(&["rm", "-f", "box"]).assert_success();
    env.finish();
}

#[test]
fn exec_gets_the_containers_env_and_the_given_one() {
    let env = running(
        "exec-env",
        Who::User,
        "box",
        &["-e", "FROM_RUN=1", "-e", "B=run"],
    );
    let file = env.home(Who::User).home.join("exec.env");
    env.write_file(Who::User, &file, "FROM_FILE=f\n# comment\n");
    let out = env
        .berth(&[
            "exec",
            "-e",
            "B=exec",
            "--env-file",
            file.to_str().unwrap(),
            "box",
            "sh",
            "-c",
            "echo $FROM_RUN $B $FROM_FILE $HOME; echo $PATH",
        ])
        .assert_success()
        .stdout_str();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "1 exec f /root", "{out}");
    assert!(lines[1].contains("/bin"), "{out}");
    env.berth(&["rm", "-f", "box"]).assert_success();
    env.finish();
}

#[test]
fn exec_runs_as_the_given_user_in_the_given_directory() {
    let env = running("exec-user", Who::User, "box", &["-w", "/tmp"]);
    let out = env
        .berth(&[
            "exec",
            "-u",
            "user1000",
            "box",
            "sh",
            "-c",
            "id -u; id -g; pwd; echo $HOME",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(out, "1000\n1000\n/tmp\n/home/user1000\n");
    let out = env
        .berth(&[
            "exec",
            "-u",
            "4242:4343",
            "-w",
            "/etc",
            "box",
            "sh",
            "-c",
            "id -u; id -g; pwd",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(out, "4242\n4343\n/etc\n");
    env.berth(&["exec", "-u", "nobody-here", "box", "true"])
        .assert_error("unable to find user nobody-here");
    let nodir = env.berth(&["exec", "-w", "/no/such/dir", "box", "true"]);
    assert_eq!(nodir.code(), 126, "{}", nodir.stderr_str());
    env.berth(&["exec", "-w", "relative", "box", "true"])
        .assert_error("it must be an absolute path");
    env.berth(&["rm", "-f", "box"]).assert_success();
    env.finish();
}

#[test]
fn exec_writes_are_visible_in_the_same_container_only() {
    let env = running("exec-fs", Who::User, "one", &[]);
    let img = image("busybox");
    env.berth(&["run", "-d", "--name", "two", &img, "sleep", "1000"])
        .assert_success();
    env.berth(&["exec", "one", "sh", "-c", "echo hi > /test.txt"])
        .assert_success();
    let same = env
        .berth(&["exec", "one", "cat", "/test.txt"])
        .assert_success()
        .stdout_str();
    assert_eq!(same, "hi\n");
    let other = env.berth(&["exec", "two", "cat", "/test.txt"]);
    assert_eq!(other.code(), 1, "{}", other.stdout_str());
    env.berth(&["rm", "-f", "one", "two"]).assert_success();
    env.finish();
}

#[test]
fn exec_into_a_stopped_or_unknown_container_fails_and_changes_nothing() {
    let env = TestEnv::new("exec-stopped");
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    env.berth(&["create", "--name", "idle", &img, "sleep", "1000"])
        .assert_success();
    let before = env.berth(&["ps", "-a", "--format", "{{.Names}} {{.Status}}"]);
    env.berth(&["exec", "idle", "true"])
        .assert_error("container idle is not running: start it with `berth start idle` first");
    let after = env.berth(&["ps", "-a", "--format", "{{.Names}} {{.Status}}"]);
    assert_eq!(before.stdout_str(), after.stdout_str());
    env.berth(&["exec", "nothing-here", "true"])
        .assert_error("no container with name or ID \"nothing-here\" found");
    env.berth(&["rm", "idle"]).assert_success();
    env.finish();
}

#[test]
fn exec_has_the_containers_capabilities_no_new_privs_and_seccomp() {
    let env = running("exec-security", Who::User, "box", &[]);
    let run = env
        .berth(&["exec", "box", "cat", "/proc/1/status"])
        .assert_success()
        .stdout_str();
    let status = env
        .berth(&["exec", "box", "cat", "/proc/self/status"])
        .assert_success()
        .stdout_str();
    for key in ["CapEff", "CapBnd", "CapPrm", "NoNewPrivs", "Seccomp"] {
        assert_eq!(status_field(&status, key), status_field(&run, key), "{key}");
    }
    // podman's default set (no NET_RAW, MKNOD, AUDIT_WRITE).
    assert_eq!(status_field(&status, "CapEff"), "00000000800405fb");
    assert_eq!(status_field(&status, "NoNewPrivs"), "1");
    assert_eq!(status_field(&status, "Seccomp"), "2");
    let user = env
        .berth(&["exec", "-u", "1000", "box", "cat", "/proc/self/status"])
        .assert_success()
        .stdout_str();
    assert_eq!(status_field(&user, "CapEff"), "0000000000000000");
    let privileged = env
        .berth(&["exec", "--privileged", "box", "cat", "/proc/self/status"])
        .assert_success()
        .stdout_str();
    assert_eq!(status_field(&privileged, "Seccomp"), "0");
    let eff = u64::from_str_radix(&status_field(&privileged, "CapEff"), 16).unwrap();
    assert_ne!(
        eff & (1 << 21),
        0,
        "CAP_SYS_ADMIN with --privileged: {privileged}"
    );
    env.berth(&["rm", "-f", "box"]).assert_success();
    env.finish();
}

#[test]
fn exec_interactive_passes_piped_stdin() {
    let env = running("exec-stdin", Who::User, "box", &[]);
    let out = env
        .berth_with_stdin(
            &["exec", "-i", "box", "sh", "-c", "cat; echo done"],
            b"one\ntwo\n",
        )
        .assert_success()
        .stdout_str();
    assert_eq!(out, "one\ntwo\ndone\n");
    // Without -i the command reads nothing.
    let out = env
        .berth_with_stdin(&["exec", "box", "cat"], b"ignored\n")
        .assert_success()
        .stdout_str();
    assert_eq!(out, "");
    env.berth(&["rm", "-f", "box"]).assert_success();
    env.finish();
}

#[test]
fn exec_detach_returns_at_once_and_the_command_runs() {
    let env = running("exec-detach", Who::User, "box", &[]);
    // The command waits on a fifo that only the next exec writes: `-d` cannot have waited for
    // it to finish.
    env.berth(&["exec", "box", "busybox", "mkfifo", "/go"])
        .assert_success();
    let out = env
        .berth(&["exec", "-d", "box", "sh", "-c", "cat /go > /got"])
        .assert_success();
    assert_eq!(out.stdout_str(), "");
    env.berth(&["exec", "box", "sh", "-c", "echo ran > /go"])
        .assert_success();
    // Wait for the detached command without a timing assertion: give up only after long.
    let mut got = String::new();
    for _ in 0..1500 {
        got = env
            .berth(&["exec", "box", "sh", "-c", "cat /got 2>/dev/null"])
            .stdout_str();
        if !got.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(got, "ran\n");
    let missing = env.berth(&["exec", "-d", "box", "no-such-command"]);
    assert_eq!(missing.code(), 127, "{}", missing.stderr_str());
    env.berth(&["rm", "-f", "box"]).assert_success();
    env.finish();
}

#[test]
fn exec_tty_gives_a_terminal_from_the_containers_devpts() {
    let env = running("exec-tty", Who::User, "box", &[]);
    let berth = env!("CARGO_BIN_EXE_berth");
    let mut child = env
        .command(
            Who::User,
            "script",
            &[
                "-q",
                "-e",
                "-c",
                &format!(
                    "{berth} exec -it box sh -c 'tty; stty size; read x; echo got $x; exit 5'"
                ),
                "/dev/null",
            ],
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut screen = Vec::new();
    let mut buf = [0u8; 256];
    while !String::from_utf8_lossy(&screen).contains("/dev/pts/") {
        let n = stdout.read(&mut buf).unwrap();
        assert!(n > 0, "no tty line: {}", String::from_utf8_lossy(&screen));
        screen.extend_from_slice(&buf[..n]);
    }
    stdin.write_all(b"hello\n").unwrap();
    stdout.read_to_end(&mut screen).unwrap();
    let status = child.wait().unwrap();
    let text = String::from_utf8_lossy(&screen).replace('\r', "");
    assert_eq!(status.code(), Some(5), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    // The container's own devpts: its PID 1 has no terminal, so this is the first one.
    assert!(lines.contains(&"/dev/pts/0"), "{text}");
    assert!(lines.contains(&"got hello"), "{text}");
    let size: Vec<&str> = lines
        .iter()
        .find(|l| {
            l.split_whitespace().count() == 2
                && l.split_whitespace().all(|w| w.parse::<u32>().is_ok())
        })
        .unwrap_or_else(|| panic!("no stty size: {text}"))
        .split_whitespace()
        .collect();
    assert_ne!(size, ["0", "0"], "{text}");
    env.berth(&["rm", "-f", "box"]).assert_success();
    env.finish();
}

#[test]
fn exec_works_as_root_and_without_a_subordinate_range() {
    for (who, test) in [(Who::Root, "exec-root"), (Who::NoRange, "exec-norange")] {
        let env = running(test, who, "box", &[]);
        let out = env
            .berth_as(
                who,
                &[
                    "exec",
                    "box",
                    "sh",
                    "-c",
                    "echo $$; id -u; cat /proc/self/status",
                ],
            )
            .assert_success()
            .stdout_str();
        let lines: Vec<&str> = out.lines().collect();
        assert_ne!(lines[0], "1", "{out}");
        assert_eq!(lines[1], "0", "{out}");
        assert_eq!(status_field(&out, "Seccomp"), "2");
        let code = env.berth_as(who, &["exec", "box", "sh", "-c", "exit 7"]);
        assert_eq!(code.code(), 7);
        env.berth_as(who, &["rm", "-f", "box"]).assert_success();
        env.finish();
    }
}

#[test]
fn exec_forwards_signals_it_receives_to_the_command() {
    use std::io::BufRead;
    let env = running("exec-signal", Who::User, "box", &[]);
    let mut child = env.spawn(&[
        "exec",
        "box",
        "sh",
        "-c",
        "trap 'exit 42' TERM; echo ready; sleep 1000 & wait $!",
    ]);
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line, "ready\n");
    // SAFETY: signalling the berth process this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(42));
    env.berth(&["rm", "-f", "box"]).assert_success();
    env.finish();
}

#[test]
fn exec_detach_keys_leave_the_command_running() {
    let env = running("exec-detach-keys", Who::User, "box", &[]);
    let berth = env!("CARGO_BIN_EXE_berth");
    let mut child = env
        .command(
            Who::User,
            "script",
            &[
                "-q",
                "-e",
                "-c",
                &format!("{berth} exec -it box sh -c 'echo in; read x; echo $x > /after'"),
                "/dev/null",
            ],
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut screen = Vec::new();
    let mut buf = [0u8; 256];
    while !String::from_utf8_lossy(&screen).contains("in\r\n") {
        let n = stdout.read(&mut buf).unwrap();
        assert!(n > 0, "no output: {}", String::from_utf8_lossy(&screen));
        screen.extend_from_slice(&buf[..n]);
    }
    // ctrl-p, ctrl-q
    stdin.write_all(b"\x10\x11").unwrap();
    stdout.read_to_end(&mut screen).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&screen)
    );
    let ps = env
        .berth(&["exec", "box", "ps", "aux"])
        .assert_success()
        .stdout_str();
    assert!(
        processes(&ps)
            .iter()
            .any(|(_, cmd)| cmd.starts_with("sh -c echo in")),
        "the detached shell still runs: {ps}"
    );
    env.berth(&["rm", "-f", "box"]).assert_success();
    env.finish();
}
