//! The user's terminal never enters a container. A container process holding it (or having it
//! as its controlling terminal, reachable as /dev/tty) could type commands into the user's
//! shell with TIOCSTI; this host has `dev.tty.legacy_tiocsti = 1`, as many distributions do.
//! Every way in is run from a real terminal (`script`), and the shell reads afterwards what
//! the container may have typed.

use super::{hostile, report, value};
use crate::util::{TestEnv, Who};

/// Run `berth ARGS` as `who` from a terminal, then let the terminal's shell read for a moment:
/// what the container typed (if anything) arrives there. Returns everything the terminal
/// showed.
fn from_a_terminal(env: &TestEnv, who: Who, args: &str) -> String {
    let bin = crate::util::berth_bin().display().to_string();
    let root = if who == Who::Root {
        format!(
            "--root {} --runroot {}",
            env.root_store().display(),
            env.home(Who::Root).runtime.join("berth").display()
        )
    } else {
        String::new()
    };
    let script = format!(
        "{bin} {root} {args}\nif read -r -t 2 line; then echo \"typed-by-container:$line\"; fi\necho done\n"
    );
    let path = env.home(who).home.join("session.sh");
    env.write_file(who, &path, &script);
    let cmd = format!("bash {}", path.display());
    let out = env
        .command(who, "script", &["-qec", &cmd, "/dev/null"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    assert!(text.contains("done"), "the session ran: {text}");
    text
}

fn assert_no_terminal(text: &str) {
    assert!(!text.contains("typed-by-container"), "{text}");
    assert!(!text.contains("INJECTED"), "{text}");
    let r = report(text);
    for fd in 0..3 {
        assert_eq!(value(&r, &format!("fd{fd}_isatty"), text), "0", "{text}");
        assert_ne!(
            value(&r, &format!("fd{fd}_tiocsti"), text),
            "TYPED",
            "{text}"
        );
    }
    assert_ne!(value(&r, "dev_tty", text), "OPENED", "{text}");
}

fn ways_in_without_t(who: Who, test: &str) {
    let env = TestEnv::new(test);
    let img = hostile(&env, who);
    env.berth_as(who, &["run", "-d", "--name", "box", &img, "sleep", "1000"])
        .assert_success();
    // The attack: exec without -t, with and without -i.
    assert_no_terminal(&from_a_terminal(&env, who, "exec box /hostile tty"));
    assert_no_terminal(&from_a_terminal(&env, who, "exec -i box /hostile tty"));
    // run attached, with and without -i; start -a.
    assert_no_terminal(&from_a_terminal(
        &env,
        who,
        &format!("run --rm {img} /hostile tty"),
    ));
    assert_no_terminal(&from_a_terminal(
        &env,
        who,
        &format!("run --rm -i {img} /hostile tty"),
    ));
    env.berth_as(who, &["create", "--name", "later", &img, "/hostile", "tty"])
        .assert_success();
    assert_no_terminal(&from_a_terminal(&env, who, "start -a later"));
    // attach: the container waits for a line on its stdin (sent through the attach), then
    // looks at its stdio while the user's terminal is attached to it.
    env.berth_as(
        who,
        &[
            "run",
            "-d",
            "-i",
            "--name",
            "att",
            &img,
            "sh",
            "-c",
            "read x; /hostile tty",
        ],
    )
    .assert_success();
    assert_no_terminal(&from_a_terminal(&env, who, "attach att <<< go"));
    env.berth_as(who, &["rm", "-f", "box", "later", "att"])
        .assert_success();
    env.finish();
}

#[test]
fn no_way_in_without_t_hands_the_users_terminal_to_the_container_rootless() {
    ways_in_without_t(Who::User, "escape-tty");
}

#[test]
fn no_way_in_without_t_hands_the_users_terminal_to_the_container_as_root() {
    ways_in_without_t(Who::Root, "escape-tty-root");
}

/// With -t the container gets a terminal of its own, made in its devpts: typing into it types
/// into the container, never into the user's shell.
#[test]
fn exec_and_run_with_t_type_only_into_the_containers_own_terminal() {
    let env = TestEnv::new("escape-tty-t");
    let img = hostile(&env, Who::User);
    env.berth(&["run", "-d", "--name", "box", &img, "sleep", "1000"])
        .assert_success();
    for args in [
        "exec -t box /hostile tty".to_string(),
        format!("run --rm -t {img} /hostile tty"),
    ] {
        let text = from_a_terminal(&env, Who::User, &args);
        assert!(!text.contains("typed-by-container"), "{args}: {text}");
        assert!(text.contains("fd0_isatty=1"), "{args}: {text}");
    }
    env.berth(&["rm", "-f", "box"]).assert_success();
    env.finish();
}

/// The descriptors a container's process starts with, for every way in: 0, 1 and 2 only,
/// none of them a terminal without -t.
#[test]
fn every_way_in_gives_the_command_stdio_and_nothing_else() {
    let env = TestEnv::new("escape-fds");
    let img = hostile(&env, Who::User);
    let check = |what: &str, text: &str, tty: bool| {
        let fds: Vec<&str> = text.lines().filter(|l| l.starts_with("fd ")).collect();
        let numbers: Vec<&str> = fds
            .iter()
            .map(|l| l.split_whitespace().nth(1).unwrap())
            .collect();
        assert_eq!(numbers, ["0", "1", "2"], "{what}: {text}");
        for l in &fds {
            let target = l.split_whitespace().nth(2).unwrap_or("");
            let terminal = target.starts_with("/dev/pts") || target.starts_with("/dev/tty");
            assert_eq!(terminal, tty, "{what}: {l}");
        }
    };
    let out = env
        .berth(&["run", "--rm", &img, "/hostile", "fds"])
        .assert_success();
    check("run", &out.stdout_str(), false);
    let out = env
        .berth_with_stdin(&["run", "--rm", "-i", &img, "/hostile", "fds"], b"")
        .assert_success();
    check("run -i", &out.stdout_str(), false);
    env.berth(&["run", "-d", "--name", "box", &img, "sleep", "1000"])
        .assert_success();
    let out = env
        .berth(&["exec", "box", "/hostile", "fds"])
        .assert_success();
    check("exec", &out.stdout_str(), false);
    let out = env
        .berth_with_stdin(&["exec", "-i", "box", "/hostile", "fds"], b"")
        .assert_success();
    check("exec -i", &out.stdout_str(), false);
    let text = from_a_terminal(&env, Who::User, "exec -t box /hostile fds");
    check("exec -t", &text, true);
    // A healthcheck: the monitor runs it; its output lands in inspect's log.
    env.berth(&[
        "run",
        "-d",
        "--name",
        "hc",
        "--health-cmd",
        "/hostile fds",
        "--health-interval",
        "1h",
        &img,
        "sleep",
        "1000",
    ])
    .assert_success();
    env.berth(&["healthcheck", "run", "hc"]).assert_success();
    let out = env
        .berth(&[
            "inspect",
            "-f",
            "{{(index .State.Health.Log 0).Output}}",
            "hc",
        ])
        .assert_success();
    check("healthcheck", &out.stdout_str(), false);
    env.berth(&["rm", "-f", "box", "hc"]).assert_success();
    env.finish();
}
