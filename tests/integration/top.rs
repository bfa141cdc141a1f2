//! `top`, `rename` and `port`, rootless as the test user against the fixtures' busybox (which
//! has no `ps`: top reads the host's /proc).

use crate::fixtures::image;
use crate::util::TestEnv;

fn with_busybox(name: &str) -> TestEnv {
    let env = TestEnv::new(name);
    env.berth(&["pull", "-q", &image("busybox")])
        .assert_success();
    env
}

/// The cells of a `top` line (columns are separated by at least two spaces... or one, after a
/// ten-wide cell, so split on whitespace; COMMAND is last and may contain spaces).
fn rows(out: &str, columns: usize) -> Vec<Vec<String>> {
    out.lines()
        .map(|l| {
            let mut cells: Vec<String> = l
                .split_whitespace()
                .take(columns - 1)
                .map(str::to_string)
                .collect();
            let rest: Vec<&str> = l.split_whitespace().skip(columns - 1).collect();
            cells.push(rest.join(" "));
            cells
        })
        .collect()
}

#[test]
fn top_lists_only_the_containers_processes_with_podmans_default_columns() {
    let env = with_busybox("top-default");
    let img = image("busybox");
    env.berth(&[
        "run",
        "-d",
        "--name",
        "t",
        &img,
        "sh",
        "-c",
        "sleep 1000 & sleep 1001 & wait",
    ])
    .assert_success();
    // The shell forks its children right after it starts; wait for both to be there.
    let mut out = String::new();
    for _ in 0..200 {
        out = env.berth(&["top", "t"]).assert_success().stdout_str();
        if out.contains("sleep 1000") && out.contains("sleep 1001") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    let table = rows(&out, 8);
    assert_eq!(
        table[0],
        ["USER", "PID", "PPID", "%CPU", "ELAPSED", "TTY", "TIME", "COMMAND"]
    );
    let procs = &table[1..];
    assert_eq!(procs.len(), 3, "the shell and its two sleeps only:\n{out}");
    // The container's view: the shell is PID 1 with no parent inside, the sleeps its children,
    // all run by root (the container's root, not the host user).
    assert_eq!(procs[0][1], "1");
    assert_eq!(procs[0][2], "0");
    assert_eq!(procs[0][7], "sh -c sleep 1000 & sleep 1001 & wait");
    for p in procs {
        assert_eq!(p[0], "root", "{out}");
        assert_eq!(p[5], "?");
    }
    let sleeps: Vec<&Vec<String>> = procs.iter().filter(|p| p[7].starts_with("sleep")).collect();
    assert_eq!(sleeps.len(), 2);
    assert!(sleeps.iter().all(|p| p[2] == "1"));

    // podman's descriptors and docker's ps options name the same columns.
    for args in [
        vec!["top", "t", "pid", "comm"],
        vec!["top", "t", "pid,comm"],
        vec!["top", "t", "-eo", "pid,comm"],
        vec!["top", "t", "-o", "pid,comm"],
    ] {
        let out = env.berth(&args).assert_success().stdout_str();
        let table = rows(&out, 2);
        assert_eq!(table[0], ["PID", "COMMAND"], "{args:?}");
        assert_eq!(table[1], ["1", "sh"], "{args:?}");
    }
    let out = env
        .berth(&[
            "container",
            "top",
            "t",
            "user,group,nice,vsz,rss,time,etime,pcpu,ppid,tty,args",
        ])
        .assert_success()
        .stdout_str();
    assert!(out.starts_with("USER"), "{out}");
    assert!(
        out.contains("GROUP") && out.contains("RSS") && out.contains("NI"),
        "{out}"
    );

    env.berth(&["top", "t", "pid,bogus"])
        .assert_error("unknown top descriptor \"bogus\"");
    env.berth(&["rm", "-f", "t"]).assert_success();
    env.finish();
}

#[test]
fn top_of_a_stopped_or_unknown_container_is_an_error() {
    let env = with_busybox("top-stopped");
    env.berth(&["create", "--name", "idle", &image("busybox"), "true"])
        .assert_success();
    env.berth(&["top", "idle"])
        .assert_error("container idle is not running");
    env.berth(&["top", "nope"])
        .assert_error("no container with name or ID \"nope\" found");
    env.berth(&["rm", "idle"]).assert_success();
    env.finish();
}

#[test]
fn rename_changes_the_name_keeps_the_id_and_refuses_taken_or_invalid_names() {
    let env = with_busybox("rename");
    let img = image("busybox");
    let id = env
        .berth(&["create", "--name", "old-name", &img, "true"])
        .assert_success()
        .stdout_str()
        .trim()
        .to_string();
    let other = env
        .berth(&["create", "--name", "taken", &img, "true"])
        .assert_success()
        .stdout_str()
        .trim()
        .to_string();
    let t0 = format!(
        "{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            - 1
    );
    env.berth(&["rename", "old-name", "new-name"])
        .assert_success();
    let got = env
        .berth(&["inspect", "--format", "{{.Id}}", "new-name"])
        .assert_success()
        .stdout_str();
    assert_eq!(got.trim(), id);
    env.berth(&["inspect", "old-name"])
        .assert_error("no such object");

    env.berth(&["container", "rename", "new-name", "taken"])
        .assert_error(&format!("already in use by {}", &other[..12]));
    env.berth(&["rename", "new-name", "bad/name"])
        .assert_error("invalid container name \"bad/name\"");
    env.berth(&["rename", "new-name", "new-name"])
        .assert_error("already named");
    env.berth(&["rename", "nope", "c"])
        .assert_error("no container with name or ID \"nope\" found");

    let ev = env
        .berth(&[
            "events",
            "--since",
            &t0,
            "--until",
            "0s",
            "--filter",
            "event=rename",
            "--format",
            "{{.Actor.Attributes.name}} {{.Actor.Attributes.oldName}}",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(ev, "new-name /old-name\n");
    env.berth(&["rm", "new-name", "taken"]).assert_success();
    env.finish();
}

#[test]
fn port_lists_nothing_for_a_container_without_published_ports_and_rejects_unknown_ones() {
    let env = with_busybox("port");
    env.berth(&["create", "--name", "p", &image("busybox"), "true"])
        .assert_success();
    let out = env.berth(&["port", "p"]).assert_success();
    assert_eq!(out.stdout_str(), "");
    env.berth(&["container", "port", "p", "80/tcp"])
        .assert_error("no public port '80/tcp' published for p");
    env.berth(&["port", "p", "80/icmp"])
        .assert_error("invalid port \"80/icmp\"");
    env.berth(&["port", "nope"])
        .assert_error("no container with name or ID \"nope\" found");
    env.berth(&["rm", "p"]).assert_success();
    env.finish();
}
